/**
 * The remediation guards on their own: rate limit, cooldown, circuit breaker (and its reset),
 * expiry, the global switch and automatic runs. Real SQLite and a real HTTP webhook receiver as the
 * target; no Slack here (the service runs headless without a notifier), see
 * test/integration/remediation.test.ts for the clicks.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { createSilentLogger } from '../../src/logger.js';
import {
  AUTO_ACTOR,
  createRemediationService,
  type RemediationService,
} from '../../src/remediation/create-remediation-service.js';
import { createExecutors } from '../../src/remediation/executors/create-executors.js';
import { createIncidentsRepo } from '../../src/storage/incidents-repo.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { createRemediationRepo, type RemediationRepo } from '../../src/storage/remediation-repo.js';
import { type HttpRecorder, startHttpRecorder } from '../helpers/http-recorder.js';
import { makeOpenIncident } from '../helpers/make-incident.js';

const LEAD = 'U0LEAD';
const OTHER = 'U0OTHER';

const incident = (id: string, service: string) => makeOpenIncident(id, [service], '2026-11-21T01:00:00.000Z');

describe('remediation guards', () => {
  let receiver: HttpRecorder;
  let clock: Date;
  let repo: RemediationRepo;
  let incidents: Map<string, ReturnType<typeof incident>>;

  beforeAll(async () => {
    receiver = await startHttpRecorder();
  });
  afterAll(async () => receiver.close());
  beforeEach(() => {
    receiver.requests.length = 0;
    clock = new Date('2026-11-21T02:00:00.000Z');
    incidents = new Map();
  });

  function service(remediation: Record<string, unknown>, actions: Array<Record<string, unknown>>): RemediationService {
    const config = ConfigSchema.parse({
      prometheus: { url: 'http://127.0.0.1:9' },
      teams: { payments: { channel: '#team-payments' } },
      services: ['payments', 'ledger', 'fx'].map((name) => ({ name, namespace: 'shop', team: 'payments' })),
      signals: [{ name: 'latency_p99', query: 'x' }],
      remediation: {
        dry_run: false,
        ...remediation,
        actions: actions.map((a) => ({
          title: 'Hook',
          kind: 'http.webhook',
          services: ['*'],
          risk: 'low',
          approvers: { users: [LEAD] },
          cooldown_seconds: 0,
          params: { url: `${receiver.url}/hook`, timeout_ms: 2000 },
          ...a,
        })),
      },
    });
    const db = openDatabase(':memory:');
    repo = createRemediationRepo(db);
    const store = createIncidentsRepo(db);
    return createRemediationService({
      config: config.remediation,
      services: config.services,
      repo,
      // Requests reference stored incidents: store each the first time the service looks it up.
      incident: (id) => {
        const found = incidents.get(id);
        if (found && !store.get(id)) store.save(found, []);
        return found;
      },
      executor: createExecutors({ remediation: config.remediation, secretEnv: {}, now: () => clock }),
      groupMembers: async () => new Set(),
      republish: async () => {},
      now: () => clock,
      logger: createSilentLogger(),
    });
  }

  async function requestAndApprove(svc: RemediationService, incidentId: string, target: string, actionId = 'hook') {
    if (!incidents.has(incidentId)) incidents.set(incidentId, incident(incidentId, target));
    const requested = await svc.request({ incidentId, actionId, target, user: OTHER });
    expect(requested.ok, requested.message).toBe(true);
    const request = repo.liveFor(actionId, target)!;
    return { request, approval: await svc.approve({ requestId: request.id, user: LEAD }) };
  }

  it('rate limit: no more real executions than allowed per window, across targets', async () => {
    const svc = service({ rate_limit: { max_executions: 2, window_seconds: 3600 } }, [{ id: 'hook' }]);
    expect((await requestAndApprove(svc, 'INC-1', 'payments')).approval.ok).toBe(true);
    expect((await requestAndApprove(svc, 'INC-2', 'ledger')).approval.ok).toBe(true);
    const third = await requestAndApprove(svc, 'INC-3', 'fx');
    expect(third.approval).toEqual({ ok: false, message: 'Not run: rate limit: 2 actions ran in the last 60 min.' });
    expect(receiver.requests).toHaveLength(2);
    expect(repo.get(third.request.id)?.status).toBe('proposed');
    clock = new Date(clock.getTime() + 3601_000);
    // The request expired meanwhile (15 min): a fresh one runs.
    expect((await svc.approve({ requestId: third.request.id, user: LEAD })).message).toContain('expired');
    expect((await requestAndApprove(svc, 'INC-3', 'fx')).approval.ok).toBe(true);
    expect(receiver.requests).toHaveLength(3);
  });

  it('cooldown: per action and target, and it passes', async () => {
    const svc = service({}, [{ id: 'hook', cooldown_seconds: 600 }]);
    await requestAndApprove(svc, 'INC-1', 'payments');
    const other = await requestAndApprove(svc, 'INC-1b', 'ledger');
    expect(other.approval.ok).toBe(true);
    const again = await requestAndApprove(svc, 'INC-1', 'payments');
    expect(again.approval.message).toContain('cooldown until 02:10 UTC');
    clock = new Date(clock.getTime() + 601_000);
    expect((await svc.approve({ requestId: again.request.id, user: LEAD })).ok).toBe(true);
    expect(receiver.requests.map((r) => JSON.parse(r.body).service)).toEqual(['payments', 'ledger', 'payments']);
  });

  it('circuit breaker: opens after N failures in a row, is not offered, and closes after reset_seconds', async () => {
    const svc = service({ circuit_breaker: { failures: 2, reset_seconds: 600 } }, [{ id: 'hook' }]);
    receiver.failNext(503, 'maintenance', 2);
    for (const id of ['INC-1', 'INC-2']) {
      const { approval } = await requestAndApprove(svc, id, 'payments');
      expect(approval).toEqual({
        ok: false,
        message: 'Hook on payments failed: The webhook answered 503: maintenance',
      });
    }
    expect(svc.offers(incidents.get('INC-1')!)).toEqual([]);
    expect(
      (await svc.request({ incidentId: 'INC-1', actionId: 'hook', target: 'payments', user: OTHER })).message,
    ).toContain('held back after 2 failures');
    clock = new Date(clock.getTime() + 601_000);
    expect(svc.offers(incidents.get('INC-1')!).map((o) => o.actionId)).toEqual(['hook']);
    expect((await requestAndApprove(svc, 'INC-3', 'payments')).approval.ok).toBe(true);
  });

  it('expiry: requests past their time are marked expired and audited', async () => {
    const svc = service({ request_ttl_seconds: 60 }, [{ id: 'hook' }]);
    incidents.set('INC-1', incident('INC-1', 'payments'));
    await svc.request({ incidentId: 'INC-1', actionId: 'hook', target: 'payments', user: OTHER });
    expect(await svc.expireDue()).toBe(0);
    clock = new Date(clock.getTime() + 61_000);
    expect(await svc.expireDue()).toBe(1);
    expect(repo.forIncident('INC-1')[0]?.status).toBe('expired');
    expect(repo.auditLog({ limit: 5, incidentId: 'INC-1' }).map((e) => e.event)).toEqual(['expired', 'requested']);
    expect(receiver.requests).toHaveLength(0);
  });

  it('the global switch: off, nothing is offered and nothing can be requested or approved', async () => {
    const svc = service({ enabled: false }, [{ id: 'hook' }]);
    incidents.set('INC-1', incident('INC-1', 'payments'));
    expect(svc.offers(incidents.get('INC-1')!)).toEqual([]);
    expect((await svc.request({ incidentId: 'INC-1', actionId: 'hook', target: 'payments', user: LEAD })).ok).toBe(
      false,
    );
    expect(await svc.autoRemediate(['INC-1'])).toEqual([]);
    expect(receiver.requests).toHaveLength(0);
  });

  it('automatic runs: only actions marked auto, only with auto_enabled, once per cooldown', async () => {
    const actions = [
      { id: 'hook', auto: true, cooldown_seconds: 1800 },
      { id: 'manual', auto: false },
    ];
    incidents.set('INC-1', incident('INC-1', 'payments'));
    expect(await service({ auto_enabled: false }, actions).autoRemediate(['INC-1'])).toEqual([]);
    expect(receiver.requests).toHaveLength(0);

    const svc = service({ auto_enabled: true }, actions);
    const outcomes = await svc.autoRemediate(['INC-1']);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    expect(receiver.requests).toHaveLength(1);
    expect(repo.forIncident('INC-1')).toMatchObject([
      { action_id: 'hook', status: 'succeeded', requested_by: AUTO_ACTOR, decided_by: AUTO_ACTOR },
    ]);
    incidents.set('INC-2', incident('INC-2', 'payments'));
    expect(await svc.autoRemediate(['INC-1', 'INC-2'])).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
  });
});
