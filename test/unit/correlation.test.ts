import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assessSeverity } from '../../src/correlation/assess-severity.js';
import { correlateAnomalies } from '../../src/correlation/correlate-anomalies.js';
import { rankHypothesis } from '../../src/correlation/rank-hypothesis.js';
import { createTopology, dependsOnTransitively, neighbourhoodOf } from '../../src/correlation/topology.js';
import { applyAnomalies } from '../../src/incidents/apply-anomalies.js';
import { createRepos, type Repos } from '../../src/pipeline/create-pipeline.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';

// checkout → payment → fraud; checkout → cart; search stands alone.
const topology = createTopology([
  { name: 'checkout-api', namespace: 'shop', team: 'checkout', tier: 1, depends_on: ['payment-api', 'cart-api'] },
  { name: 'payment-api', namespace: 'shop', team: 'payments', tier: 1, depends_on: ['fraud-api'] },
  { name: 'fraud-api', namespace: 'shop', team: 'payments', tier: 2, depends_on: [] },
  { name: 'cart-api', namespace: 'shop', team: 'checkout', tier: 2, depends_on: [] },
  { name: 'search-api', namespace: 'shop', team: 'search', tier: 3, depends_on: [] },
]);
const settings = { windowSeconds: 600 };

describe('topology', () => {
  it('knows neighbours in both directions and transitive dependencies', () => {
    expect([...neighbourhoodOf(topology, 'payment-api')].sort()).toEqual(['checkout-api', 'fraud-api', 'payment-api']);
    expect(dependsOnTransitively(topology, 'checkout-api', 'fraud-api')).toBe(true);
    expect(dependsOnTransitively(topology, 'fraud-api', 'checkout-api')).toBe(false);
  });
});

describe('correlateAnomalies', () => {
  it('groups related anomalies close in time into one incident', () => {
    const result = correlateAnomalies(
      [
        makeAnomaly('checkout-api', '2026-04-21T02:15:00Z'),
        makeAnomaly('payment-api', '2026-04-21T02:13:00Z'),
        makeAnomaly('payment-api', '2026-04-21T02:14:00Z', { metric_name: 'error_rate' }),
      ],
      [],
      topology,
      settings,
    );
    expect(result.opened).toHaveLength(1);
    const draft = result.opened[0]!;
    expect([...draft.members.keys()].sort()).toEqual(['checkout-api', 'payment-api']);
    expect(draft.members.get('payment-api')).toMatchObject({ count: 2, metrics: ['latency_p99', 'error_rate'] });
    expect(draft.newAnomalyIds).toHaveLength(3);
    expect(draft.createdAt).toBe(Date.parse('2026-04-21T02:13:00Z'));
  });

  it('keeps unrelated services and distant times apart', () => {
    const result = correlateAnomalies(
      [
        makeAnomaly('payment-api', '2026-04-21T02:13:00Z'),
        makeAnomaly('search-api', '2026-04-21T02:13:00Z'),
        // Related, but 30 minutes later: a new story.
        makeAnomaly('payment-api', '2026-04-21T02:45:00Z'),
        // Same service in another namespace.
        makeAnomaly('payment-api', '2026-04-21T02:14:00Z', { namespace: 'staging' }),
      ],
      [],
      topology,
      settings,
    );
    expect(result.opened.map((d) => `${[...d.members.keys()].join()}@${d.namespace}`)).toEqual([
      'payment-api@shop',
      'search-api@shop',
      'payment-api@staging',
      'payment-api@shop',
    ]);
  });

  it('grows an open incident instead of opening a duplicate, without mutating its input', () => {
    const first = correlateAnomalies([makeAnomaly('payment-api', '2026-04-21T02:13:00Z')], [], topology, settings);
    const open = first.opened.map((d) => ({ ...d, id: 'inc-1' }));
    const second = correlateAnomalies([makeAnomaly('checkout-api', '2026-04-21T02:16:00Z')], open, topology, settings);
    expect(second.opened).toEqual([]);
    expect(second.updated).toHaveLength(1);
    expect(second.updated[0]?.id).toBe('inc-1');
    expect([...second.updated[0]!.members.keys()]).toEqual(['payment-api', 'checkout-api']);
    expect(second.updated[0]?.newAnomalyIds).toHaveLength(1);
    expect([...open[0]!.members.keys()]).toEqual(['payment-api']);
  });
});

describe('hypothesis and severity', () => {
  it('names the earliest service, with the callers that followed, and a deploy', () => {
    const { opened } = correlateAnomalies(
      [
        makeAnomaly('fraud-api', '2026-04-21T02:13:00Z', { evidence: { recent_deploy: 'fraud-api 1.4.2' } }),
        makeAnomaly('payment-api', '2026-04-21T02:14:00Z'),
        makeAnomaly('checkout-api', '2026-04-21T02:15:00Z'),
      ],
      [],
      topology,
      settings,
    );
    const hypothesis = rankHypothesis(opened[0]!, topology);
    expect(hypothesis.probable_starting_service).toBe('fraud-api');
    expect(hypothesis.reason).toContain('earliest anomaly (02:13 UTC');
    expect(hypothesis.reason).toContain('its callers payment-api, checkout-api followed within 2 min');
    expect(hypothesis.reason).toContain('fraud-api 1.4.2');
    expect(hypothesis.confidence).toBeGreaterThanOrEqual(0.8);
  });

  it('among simultaneous onsets prefers the callee that explains the others', () => {
    const { opened } = correlateAnomalies(
      [makeAnomaly('checkout-api', '2026-04-21T02:13:00Z'), makeAnomaly('payment-api', '2026-04-21T02:13:00Z')],
      [],
      topology,
      settings,
    );
    const hypothesis = rankHypothesis(opened[0]!, topology);
    expect(hypothesis.probable_starting_service).toBe('payment-api');
    expect(hypothesis.confidence).toBeLessThan(0.8);
  });

  it('is less sure about a lone service', () => {
    const { opened } = correlateAnomalies([makeAnomaly('cart-api', '2026-04-21T02:13:00Z')], [], topology, settings);
    expect(rankHypothesis(opened[0]!, topology)).toMatchObject({
      probable_starting_service: 'cart-api',
      confidence: 0.5,
    });
    expect(assessSeverity(opened[0]!, topology)).toBe('warning');
  });

  it('rates severity by tier and breadth', () => {
    const incident = (services: string[]) =>
      correlateAnomalies(
        services.map((s) => makeAnomaly(s, '2026-04-21T02:13:00Z')),
        [],
        topology,
        settings,
      ).opened[0]!;
    expect(assessSeverity(incident(['payment-api']), topology)).toBe('high');
    expect(assessSeverity(incident(['payment-api', 'fraud-api']), topology)).toBe('critical');
    expect(assessSeverity(incident(['cart-api', 'checkout-api']), topology)).toBe('critical');
  });
});

describe('applyAnomalies (incident lifecycle on real SQLite)', () => {
  let db: Db;
  let repos: Repos;
  const routing = { teamChannels: new Map([['payments', '#team-payments']]), defaultChannel: '#vigil-alerts' };
  const options = (now: string) => ({
    incidents: repos.incidents,
    topology,
    routing,
    correlation: { windowSeconds: 600, resolveAfterQuietSeconds: 1800 },
    now: new Date(now),
  });
  const store = (...events: ReturnType<typeof makeAnomaly>[]) => {
    repos.anomalies.insert(events, '2026-04-21T03:00:00Z');
    return events;
  };

  beforeEach(() => {
    db = openDatabase(':memory:');
    repos = createRepos(db);
  });
  afterEach(() => db.close());

  it('opens, updates in place, and routes to the owner of the starting service', () => {
    const opened = applyAnomalies(
      store(makeAnomaly('payment-api', '2026-04-21T02:13:00Z')),
      options('2026-04-21T02:14:00Z'),
    );
    expect(opened.opened).toHaveLength(1);
    const id = opened.opened[0]!;
    expect(repos.incidents.get(id)).toMatchObject({ channel: '#team-payments', team: 'payments', status: 'open' });

    const updated = applyAnomalies(
      store(makeAnomaly('checkout-api', '2026-04-21T02:15:00Z')),
      options('2026-04-21T02:16:00Z'),
    );
    expect(updated).toEqual({ opened: [], updated: [id], resolved: [] });
    const incident = repos.incidents.get(id)!;
    expect(incident.services).toEqual(['payment-api', 'checkout-api']);
    expect(incident.anomaly_ids).toHaveLength(2);
    expect(incident.channel).toBe('#team-payments');
    expect(repos.incidents.listActive()).toHaveLength(1);
  });

  it('storing the same anomaly twice (a retried cycle) adds nothing', () => {
    const event = makeAnomaly('payment-api', '2026-04-21T02:13:00Z');
    expect(repos.anomalies.insert([event], 'x')).toEqual([event]);
    expect(repos.anomalies.insert([event], 'x')).toEqual([]);
  });

  it('resolves a quiet incident, and a resolved one never absorbs new anomalies', () => {
    const { opened } = applyAnomalies(
      store(makeAnomaly('payment-api', '2026-04-21T02:13:00Z')),
      options('2026-04-21T02:14:00Z'),
    );
    const quiet = applyAnomalies([], options('2026-04-21T02:43:00Z'));
    expect(quiet.resolved).toEqual(opened);
    expect(repos.incidents.get(opened[0]!)).toMatchObject({
      status: 'resolved',
      resolved_at: '2026-04-21T02:43:00.000Z',
    });
    const later = applyAnomalies(
      store(makeAnomaly('payment-api', '2026-04-21T02:44:00Z')),
      options('2026-04-21T02:45:00Z'),
    );
    expect(later.opened).toHaveLength(1);
    expect(later.opened[0]).not.toBe(opened[0]);
  });
});
