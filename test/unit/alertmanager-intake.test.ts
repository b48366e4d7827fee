/**
 * The Alertmanager intake on real SQLite with the real migrations: payload validation, the service
 * mapping, each alert stored once, resolved notifications, what correlation gets and when, and
 * the card's line. The real Alertmanager sends to it in test/integration/alertmanager-intake.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertmanagerIntakeConfigSchema } from '../../src/config/alertmanager-intake-schema.js';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfigText, parseEnv } from '../../src/config/load-config.js';
import type { AnomalyEvent } from '../../src/contracts/index.js';
import { correlateAnomalies } from '../../src/correlation/correlate-anomalies.js';
import { createTopology } from '../../src/correlation/topology.js';
import { startHealthServer } from '../../src/http/start-health-server.js';
import { applyAnomalies, meetsEvidenceBar } from '../../src/incidents/apply-anomalies.js';
import { createLogger } from '../../src/logger.js';
import { createAlertFeed } from '../../src/pipeline/create-alert-feed.js';
import { alertEvidenceLine } from '../../src/slack/blocks/alert-evidence-line.js';
import { evidenceLine } from '../../src/slack/blocks/build-incident-card.js';
import { alertAnomaly } from '../../src/sources/alert-anomaly.js';
import { type AlertmanagerIntakeCount, createAlertmanagerIntake } from '../../src/sources/alertmanager-intake.js';
import { alertAnomalyIdOf, type ReceivedAlert } from '../../src/sources/alertmanager-webhook.js';
import { type AlertsRepo, createAlertsRepo } from '../../src/storage/alerts-repo.js';
import { createAnomaliesRepo } from '../../src/storage/anomalies-repo.js';
import { createIncidentsRepo } from '../../src/storage/incidents-repo.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { lifecycleSettings } from '../helpers/lifecycle-settings.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';

const TOKEN = 'alertmanager-token-0123456789';
const logger = createLogger({ level: 'silent' });

/** An alert as Alertmanager 0.25 writes it in a webhook payload (nanosecond timestamps included). */
function webhookAlert(overrides: Record<string, unknown> = {}) {
  return {
    status: 'firing',
    labels: { alertname: 'HighErrorRate', service: 'checkout-api', severity: 'critical' },
    annotations: { summary: '5% of checkout requests fail' },
    startsAt: '2026-12-01T05:02:03.123456789Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=errors',
    fingerprint: 'b3c4d5e6f7a8b9c0',
    ...overrides,
  };
}

function payload(alerts: unknown[], status = 'firing'): string {
  return JSON.stringify({
    version: '4',
    receiver: 'vigil',
    status,
    alerts,
    groupLabels: { namespace: 'shop' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    groupKey: '{}:{namespace="shop"}',
    truncatedAlerts: 0,
  });
}

describe('POST /alertmanager', () => {
  let db: Db;
  let repo: AlertsRepo;
  let counts: Array<[AlertmanagerIntakeCount, number]>;
  let arrivals: number;
  let intake: ReturnType<typeof createAlertmanagerIntake>;

  beforeEach(() => {
    db = openDatabase(':memory:');
    repo = createAlertsRepo(db);
    counts = [];
    arrivals = 0;
    intake = createAlertmanagerIntake({
      token: TOKEN,
      config: AlertmanagerIntakeConfigSchema.parse({}),
      namespaceOf: (service) => (service === 'checkout-api' ? 'shop' : undefined),
      record: (alerts) => repo.record(alerts, '2026-12-01T05:03:00.000Z'),
      arrived: () => {
        arrivals += 1;
      },
      count: (what, n) => counts.push([what, n]),
      logger,
    });
  });
  afterEach(() => db.close());

  const counted = (what: AlertmanagerIntakeCount) =>
    counts.filter(([w]) => w === what).reduce((sum, [, n]) => sum + n, 0);

  it('asks for the bearer token on the headers', () => {
    expect(intake.authorize(undefined)?.status).toBe(401);
    expect(intake.authorize(`Bearer ${TOKEN}x`)?.status).toBe(401);
    expect(intake.authorize(TOKEN)?.status).toBe(401);
    expect(intake.authorize(`Bearer ${TOKEN}`)).toBeNull();
  });

  it('rejects what is not a version-4 payload with 400 naming the field, storing nothing', async () => {
    expect((await intake.accept('not json')).status).toBe(400);
    const noFingerprint = await intake.accept(payload([webhookAlert({ fingerprint: undefined })]));
    expect(noFingerprint.status).toBe(400);
    expect(noFingerprint.body.issues).toEqual([expect.stringContaining('alerts.0.fingerprint')]);
    const oldVersion = await intake.accept(payload([webhookAlert()]).replace('"version":"4"', '"version":"3"'));
    expect((oldVersion.body.issues as string[]).join()).toContain('version');
    const badStatus = await intake.accept(payload([webhookAlert(), webhookAlert({ status: 'pending' })]));
    expect((badStatus.body.issues as string[]).join()).toContain('alerts.1.status');
    expect((await intake.accept(payload([]))).status).toBe(400);
    expect(repo.list()).toEqual([]);
    expect(counted('payload_invalid')).toBe(5);
    expect(arrivals).toBe(0);
  });

  it('stores an alert once however often Alertmanager re-sends it, and tells detection once', async () => {
    expect(await intake.accept(payload([webhookAlert()]))).toEqual({
      status: 200,
      body: { accepted: 1, stored: 1, resolved: 0, duplicates: 0 },
    });
    // A retry, then a group update carrying it with another alert.
    expect((await intake.accept(payload([webhookAlert()]))).body).toMatchObject({ stored: 0, duplicates: 1 });
    const other = webhookAlert({ fingerprint: 'ffff0000ffff0000', labels: { alertname: 'Other', app: 'cart' } });
    expect((await intake.accept(payload([webhookAlert(), other]))).body).toMatchObject({ stored: 1, duplicates: 1 });
    expect(repo.list()).toEqual([
      expect.objectContaining({
        fingerprint: 'b3c4d5e6f7a8b9c0',
        startsAt: '2026-12-01T05:02:03.123Z',
        status: 'firing',
        endsAt: null,
        service: 'checkout-api',
        namespace: 'shop',
      }),
      expect.objectContaining({ alertname: 'Other', service: 'cart', namespace: 'default' }),
    ]);
    expect(arrivals).toBe(2);
    expect(counted('stored')).toBe(2);
    expect(counted('duplicate')).toBe(2);
    // The same rule firing again later is a new alert.
    await intake.accept(payload([webhookAlert({ startsAt: '2026-12-01T07:00:00Z' })]));
    expect(repo.list()).toHaveLength(3);
  });

  it('records the end of a resolved alert once; one first seen resolved is recorded, not correlated', async () => {
    await intake.accept(payload([webhookAlert()]));
    const resolved = webhookAlert({ status: 'resolved', endsAt: '2026-12-01T05:09:00.5Z' });
    expect((await intake.accept(payload([resolved], 'resolved'))).body).toMatchObject({ resolved: 1, stored: 0 });
    expect((await intake.accept(payload([resolved], 'resolved'))).body).toMatchObject({ resolved: 0, duplicates: 1 });
    expect(repo.list()[0]).toMatchObject({
      status: 'resolved',
      endsAt: '2026-12-01T05:09:00.500Z',
      resolvedReceivedAt: '2026-12-01T05:03:00.000Z',
    });
    const late = webhookAlert({ fingerprint: '1111222233334444', status: 'resolved', endsAt: '2026-12-01T05:05:00Z' });
    await intake.accept(payload([late], 'resolved'));
    expect(repo.list()[1]).toMatchObject({ status: 'resolved', endsAt: '2026-12-01T05:05:00.000Z' });
    expect(repo.toCorrelate(10).map((a) => a.fingerprint)).toEqual(['b3c4d5e6f7a8b9c0']);
    expect(arrivals).toBe(1);
  });

  it('records an alert naming no service without correlating it', async () => {
    const nodeAlert = webhookAlert({ labels: { alertname: 'NodeDiskFull', instance: 'node-1' } });
    expect((await intake.accept(payload([nodeAlert]))).body).toMatchObject({ stored: 1 });
    expect(repo.list()[0]).toMatchObject({ service: null, namespace: 'default', alertname: 'NodeDiskFull' });
    expect(repo.toCorrelate(10)).toEqual([]);
    expect(arrivals).toBe(0);
  });

  it('names the service by the first configured label present, the namespace by label, service or default', async () => {
    const mapped = createAlertmanagerIntake({
      token: TOKEN,
      config: AlertmanagerIntakeConfigSchema.parse({
        service_labels: ['app', 'job'],
        namespace_label: 'kubernetes_namespace',
        default_namespace: 'prod',
      }),
      namespaceOf: (service) => (service === 'checkout-api' ? 'shop' : undefined),
      record: (alerts) => repo.record(alerts, '2026-12-01T05:03:00.000Z'),
      arrived: () => undefined,
      count: () => undefined,
      logger,
    });
    await mapped.accept(
      payload([
        webhookAlert({ fingerprint: 'a1', labels: { alertname: 'A', service: 'x', job: 'cart', app: 'checkout-api' } }),
        webhookAlert({ fingerprint: 'a2', labels: { alertname: 'B', job: 'cart', kubernetes_namespace: 'staging' } }),
        webhookAlert({ fingerprint: 'a3', labels: { alertname: 'C', job: 'cart' } }),
      ]),
    );
    expect(repo.list().map((a) => [a.service, a.namespace])).toEqual([
      ['checkout-api', 'shop'],
      ['cart', 'staging'],
      ['cart', 'prod'],
    ]);
  });

  it('takes an alert storm of 1000 alerts (~0.9 MB, over the deploy intake’s 256 KiB) and refuses more', async () => {
    const storm = Array.from({ length: 1000 }, (_, i) =>
      webhookAlert({
        fingerprint: i.toString(16).padStart(16, '0'),
        labels: { alertname: 'PodCrashLooping', service: `svc-${i % 50}`, pod: `pod-${i}` },
        annotations: { summary: `pod-${i} is crash looping`, description: 'Pod restarts. '.repeat(40) },
      }),
    );
    const server = await startHealthServer(
      { port: 0, host: '127.0.0.1', logger },
      { ready: () => ({ ready: true, reason: 'ok' }), alertmanager: intake },
    );
    try {
      const post = (body: string, headers: Record<string, string> = {}) =>
        fetch(`http://127.0.0.1:${server.port}/alertmanager`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, ...headers },
          body,
        });
      const body = payload(storm);
      expect(body.length).toBeGreaterThan(800_000);
      const res = await post(body);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ accepted: 1000, stored: 1000 });
      expect(repo.list()).toHaveLength(1000);
      expect(arrivals).toBe(1);
      const tooMany = await post(payload([...storm, webhookAlert()]));
      expect(tooMany.status).toBe(400);
      expect(((await tooMany.json()) as { issues: string[] }).issues.join()).toContain('alerts');
      const tooLarge = await post('x'.repeat(1024 * 1024 + 1));
      expect(tooLarge.status).toBe(413);
    } finally {
      await server.close();
    }
  });

  it('a resolved notification after correlation marks the stored event resolved, for the card', async () => {
    await intake.accept(payload([webhookAlert()]));
    const [row] = repo.toCorrelate(10);
    if (!row) throw new Error('no alert to correlate');
    createAnomaliesRepo(db).insert([alertAnomaly(row, null)], '2026-12-01T05:03:00.000Z');
    repo.markCorrelated([row.rowId]);
    await intake.accept(payload([webhookAlert({ status: 'resolved', endsAt: '2026-12-01T05:09:00Z' })], 'resolved'));
    const stored = db.prepare('SELECT event_json FROM anomalies WHERE id = ?').pluck().get(row.anomalyId) as string;
    expect(JSON.parse(stored).alert.ends_at).toBe('2026-12-01T05:09:00.000Z');
  });
});

describe('the alert feed of the detection cycle', () => {
  it('reads the store only after an alert arrived (and once after a start), and again after a failed fold', async () => {
    const db = openDatabase(':memory:');
    const repo = createAlertsRepo(db);
    let reads = 0;
    const feed = createAlertFeed({
      repo: {
        toCorrelate: (limit) => {
          reads += 1;
          return repo.toCorrelate(limit);
        },
        markCorrelated: (ids) => repo.markCorrelated(ids),
        firingIn: (id, since) => repo.firingIn(id, since),
      },
      assumeResolvedAfterSeconds: 18_000,
      recentDeploy: (service) => (service === 'checkout-api' ? 'v42' : null),
      logger,
    });
    expect(feed.take()).toBeNull();
    expect(reads).toBe(1);
    // Quiet cycles: no query at all.
    for (let i = 0; i < 5; i += 1) expect(feed.take()).toBeNull();
    expect(reads).toBe(1);

    const intake = createAlertmanagerIntake({
      token: TOKEN,
      config: AlertmanagerIntakeConfigSchema.parse({}),
      namespaceOf: () => 'shop',
      record: (alerts) => repo.record(alerts, '2026-12-01T05:03:00.000Z'),
      arrived: feed.arrived,
      count: () => undefined,
      logger,
    });
    await intake.accept(payload([webhookAlert()]));
    const batch = feed.take();
    expect(batch?.events).toEqual([
      expect.objectContaining({
        detector: 'alertmanager',
        service: 'checkout-api',
        namespace: 'shop',
        timestamp: '2026-12-01T05:02:03.123Z',
        opens: true,
        alert: expect.objectContaining({ name: 'HighErrorRate', severity: 'critical', ends_at: null }),
        evidence: expect.objectContaining({ recent_deploy: 'v42' }),
      }),
    ]);
    feed.failed();
    expect(feed.take()?.events).toHaveLength(1);
    feed.folded(batch as NonNullable<typeof batch>);
    feed.arrived();
    expect(feed.take()).toBeNull();
    expect(feed.take()).toBeNull();
    expect(reads).toBe(4);
    db.close();
  });
});

describe('an alert in correlation', () => {
  const topology = createTopology([
    { name: 'checkout-api', namespace: 'shop', team: 'checkout', tier: 1, depends_on: [] },
  ]);
  const alert = alertAnomaly(
    {
      rowId: 1,
      fingerprint: 'b3c4d5e6f7a8b9c0',
      startsAt: '2026-12-01T05:02:00.000Z',
      endsAt: null,
      alertname: 'HighErrorRate',
      service: 'checkout-api',
      namespace: 'shop',
      severity: 'critical',
      summary: '5% of checkout requests fail',
      labels: { alertname: 'HighErrorRate', service: 'checkout-api' },
      generatorUrl: null,
      anomalyId: 'am_1',
    },
    null,
  );
  const draftOf = (events: Parameters<typeof correlateAnomalies>[0]['anomalies'], suppressed = false) => {
    const { opened } = correlateAnomalies({
      anomalies: events,
      open: [],
      topology,
      settings: lifecycleSettings(),
      ...(suppressed ? { suppression: () => 'maintenance of checkout-api (drill)' } : {}),
    });
    expect(opened).toHaveLength(1);
    return opened[0] as NonNullable<(typeof opened)[0]>;
  };

  it('pages alone, where a lone anomaly does not: the rule already held for its `for:`', () => {
    expect(meetsEvidenceBar(draftOf([alert]), 2, 15)).toBe(true);
    expect(meetsEvidenceBar(draftOf([makeAnomaly('checkout-api', '2026-12-01T05:02:00Z')]), 2, 15)).toBe(false);
  });

  it('does not page in a maintenance window', () => {
    expect(meetsEvidenceBar(draftOf([alert], true), 2, 15)).toBe(false);
  });

  it('joins the same story as an anomaly of its service', () => {
    const draft = draftOf([alert, makeAnomaly('checkout-api', '2026-12-01T05:03:00Z')]);
    expect(draft.total).toBe(2);
    expect(draft.members.get('checkout-api')?.alerts).toBe(1);
  });

  it('reads on the card as an alert, firing or resolved', () => {
    expect(evidenceLine(alert, 'seconds')).toBe(
      '*checkout-api* Alertmanager: HighErrorRate firing since 05:02 UTC (severity critical): 5% of checkout requests fail',
    );
    const resolved = { ...alert, alert: { ...(alert.alert as NonNullable<typeof alert.alert>) } };
    resolved.alert.ends_at = '2026-12-01T05:09:00.000Z';
    resolved.alert.severity = null;
    resolved.alert.summary = 'a <b> & c\nd';
    expect(alertEvidenceLine(resolved, resolved.alert)).toBe(
      '*checkout-api* Alertmanager: HighErrorRate fired 05:02–05:09 UTC, resolved: a &lt;b&gt; &amp; c d',
    );
  });
});

describe('an incident an alert still fires for', () => {
  const topology = createTopology([
    { name: 'checkout-api', namespace: 'shop', team: 'checkout', tier: 1, depends_on: [] },
  ]);
  let db: Db;
  let repo: AlertsRepo;

  beforeEach(() => {
    db = openDatabase(':memory:');
    repo = createAlertsRepo(db);
  });
  afterEach(() => db.close());

  /** Stores the alert, folds it into an incident at 05:03, and returns a quiet cycle at `at`. */
  function openByAlert(): (at: string) => ReturnType<typeof applyAnomalies> {
    const feed = createAlertFeed({ repo, assumeResolvedAfterSeconds: 18_000, logger });
    const incidents = createIncidentsRepo(db);
    const apply = (events: AnomalyEvent[], at: string) =>
      incidents.atomically(() =>
        applyAnomalies(events, {
          incidents,
          topology,
          routing: { teamChannels: new Map(), defaultChannel: '#vigil-alerts' },
          settings: lifecycleSettings(),
          holdOpen: (id) => feed.stillFiring(id, new Date(at)),
          now: new Date(at),
        }),
      );
    repo.record([receivedAlert()], '2026-12-01T05:03:00.000Z');
    const batch = feed.take();
    const fresh = createAnomaliesRepo(db).insert(batch?.events ?? [], '2026-12-01T05:03:00.000Z');
    expect(apply(fresh, '2026-12-01T05:03:00.000Z').opened).toHaveLength(1);
    return (at) => apply([], at);
  }

  function receivedAlert(overrides: Partial<ReceivedAlert> = {}): ReceivedAlert {
    return {
      fingerprint: 'b3c4d5e6f7a8b9c0',
      startsAt: '2026-12-01T05:02:00.000Z',
      endsAt: null,
      status: 'firing',
      alertname: 'HighErrorRate',
      service: 'checkout-api',
      namespace: 'shop',
      severity: 'critical',
      summary: null,
      labels: { alertname: 'HighErrorRate' },
      annotations: {},
      generatorUrl: null,
      receiver: 'vigil',
      anomalyId: alertAnomalyIdOf('b3c4d5e6f7a8b9c0', '2026-12-01T05:02:00.000Z'),
      ...overrides,
    };
  }

  it('is not resolved for being quiet until the alert resolves', () => {
    const quietCycle = openByAlert();
    expect(quietCycle('2026-12-01T06:00:00.000Z').resolved).toEqual([]);
    repo.record(
      [receivedAlert({ status: 'resolved', endsAt: '2026-12-01T06:00:30.000Z' })],
      '2026-12-01T06:00:31.000Z',
    );
    expect(quietCycle('2026-12-01T06:01:00.000Z').resolved).toHaveLength(1);
  });

  it('is resolved once Alertmanager has neither re-sent nor resolved the alert for assume_resolved_after_seconds', () => {
    const quietCycle = openByAlert();
    // A re-send (repeat_interval) keeps it firing.
    repo.record([receivedAlert()], '2026-12-01T09:03:00.000Z');
    expect(quietCycle('2026-12-01T13:00:00.000Z').resolved).toEqual([]);
    expect(quietCycle('2026-12-01T14:04:00.000Z').resolved).toHaveLength(1);
  });
});

describe('configuration of the intake', () => {
  it('defaults the labels, and names a bad key', () => {
    expect(AlertmanagerIntakeConfigSchema.parse({})).toEqual({
      service_labels: ['service', 'app', 'job'],
      namespace_label: 'namespace',
      default_namespace: 'default',
      assume_resolved_after_seconds: 18_000,
    });
    const text = `prometheus: { url: "http://prometheus:9090" }
signals: [{ name: latency_p99, query: "x" }]
alertmanager_intake: { service_labels: ["app-name"] }
`;
    let error: unknown;
    try {
      parseConfigText(text, 'vigil.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toContain('alertmanager_intake.service_labels.0');
  });

  it('takes the token from the environment, at least 16 characters', () => {
    expect(parseEnv({ VIGIL_ALERTMANAGER_TOKEN: TOKEN }).VIGIL_ALERTMANAGER_TOKEN).toBe(TOKEN);
    expect(parseEnv({}).VIGIL_ALERTMANAGER_TOKEN).toBeUndefined();
    expect(() => parseEnv({ VIGIL_ALERTMANAGER_TOKEN: 'short' })).toThrow(/VIGIL_ALERTMANAGER_TOKEN/);
  });

  it('answers 404 on POST /alertmanager when no token is set', async () => {
    const server = await startHealthServer(
      { port: 0, host: '127.0.0.1', logger },
      { ready: () => ({ ready: true, reason: 'ok' }) },
    );
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/alertmanager`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
