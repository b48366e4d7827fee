import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../../src/contracts/index.js';
import { assessSeverity } from '../../src/correlation/assess-severity.js';
import { correlateAnomalies } from '../../src/correlation/correlate-anomalies.js';
import type { IncidentDraft } from '../../src/correlation/incident-draft.js';
import { rankHypothesis } from '../../src/correlation/rank-hypothesis.js';
import {
  createTopology,
  dependsOnTransitively,
  heightOf,
  neighbourhoodOf,
  storyReaches,
} from '../../src/correlation/topology.js';
import { applyAnomalies, type LifecycleSettings } from '../../src/incidents/apply-anomalies.js';
import { deployReference } from '../../src/incidents/deploy-reference.js';
import { createOpsCalendar } from '../../src/incidents/ops-calendar.js';
import { createRepos, type Repos } from '../../src/pipeline/create-pipeline.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { lifecycleSettings } from '../helpers/lifecycle-settings.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';

// edge → checkout → payment → fraud; checkout → cart; search stands alone.
const topology = createTopology([
  { name: 'edge', namespace: 'shop', team: 'platform', tier: 1, depends_on: ['checkout-api', 'search-api'] },
  { name: 'checkout-api', namespace: 'shop', team: 'checkout', tier: 1, depends_on: ['payment-api', 'cart-api'] },
  { name: 'payment-api', namespace: 'shop', team: 'payments', tier: 1, depends_on: ['fraud-api'] },
  { name: 'fraud-api', namespace: 'shop', team: 'payments', tier: 2, depends_on: [] },
  { name: 'cart-api', namespace: 'shop', team: 'checkout', tier: 2, depends_on: [] },
  { name: 'search-api', namespace: 'shop', team: 'search', tier: 3, depends_on: [] },
]);
const settings = { windowSeconds: 600, maxIncidentSeconds: 21_600 };
const correlate = (anomalies: AnomalyEvent[], open: IncidentDraft[] = [], trafficMetrics?: Set<string>) =>
  correlateAnomalies({ anomalies, open, topology, settings, ...(trafficMetrics ? { trafficMetrics } : {}) });

describe('topology', () => {
  it('knows neighbours, transitive dependencies and heights', () => {
    expect([...neighbourhoodOf(topology, 'payment-api')].sort()).toEqual(['checkout-api', 'fraud-api', 'payment-api']);
    expect(dependsOnTransitively(topology, 'checkout-api', 'fraud-api')).toBe(true);
    expect(dependsOnTransitively(topology, 'fraud-api', 'checkout-api')).toBe(false);
    expect([heightOf(topology, 'fraud-api'), heightOf(topology, 'payment-api'), heightOf(topology, 'edge')]).toEqual([
      0, 1, 3,
    ]);
  });
});

describe('which services a story reaches', () => {
  const reaches = (members: string[], service: string, hops: number) =>
    storyReaches(topology, new Set(members), service, hops);
  it('follows calls upwards, and downwards only from a member no callee in the story explains', () => {
    // edge → checkout → payment: a fault in payment shows in its callers' callers.
    expect([reaches(['payment-api'], 'edge', 1), reaches(['payment-api'], 'edge', 2)]).toEqual([false, true]);
    // payment-api may be suffering from fraud-api, which it calls...
    expect(reaches(['payment-api'], 'fraud-api', 1)).toBe(true);
    // ...but checkout-api, explained by payment-api in the story, does not pull in cart-api.
    expect(reaches(['checkout-api', 'payment-api'], 'cart-api', 2)).toBe(false);
    expect(reaches(['checkout-api', 'payment-api'], 'fraud-api', 1)).toBe(true);
  });

  it('never turns: services that only share a caller are not connected', () => {
    expect(reaches(['cart-api'], 'payment-api', 6)).toBe(false);
    expect(reaches(['search-api'], 'checkout-api', 6)).toBe(false);
    expect(reaches(['search-api'], 'search-api', 0)).toBe(true);
  });
});

describe('grouping', () => {
  it('an episode that goes on extends a story but never opens one', () => {
    const opening = makeAnomaly('payment-api', '2026-04-21T05:00:00Z', { opens: true });
    const going = (at: string) => makeAnomaly('payment-api', at, { opens: false });
    // Its opening point told (to an incident since resolved, say): the rest opens nothing.
    expect(correlate([going('2026-04-21T05:01:00Z'), going('2026-04-21T05:02:00Z')]).opened).toEqual([]);
    // With its opening point, the same batch opens one story holding all three.
    const { opened } = correlate([opening, going('2026-04-21T05:01:00Z'), going('2026-04-21T05:02:00Z')]);
    expect(opened.map((d) => d.total)).toEqual([3]);
    // A continuing point joins the story already open for it.
    const later = correlate([going('2026-04-21T05:03:00Z')], opened);
    expect(later.updated.map((d) => d.total)).toEqual([4]);
    // Events written before episodes existed (no `opens`) open as they always did.
    expect(correlate([makeAnomaly('search-api', '2026-04-21T05:00:00Z')]).opened).toHaveLength(1);
  });

  it('noise too small to page is no bridge: a neighbour joins only through a member whose last anomaly counted', () => {
    const { opened } = correlate([makeAnomaly('payment-api', '2026-04-21T05:00:00Z', { paging_weight: 'minor' })]);
    // fraud-api, which payment-api calls, a minute later: a story of its own.
    const next = correlate([makeAnomaly('fraud-api', '2026-04-21T05:01:00Z')], opened);
    expect([next.opened.length, next.updated.length]).toEqual([1, 0]);
    // payment-api itself joins its story however small its last anomaly was.
    const same = correlate([makeAnomaly('payment-api', '2026-04-21T05:01:00Z')], opened);
    expect(same.updated.map((d) => d.total)).toEqual([2]);
    // An anomaly that counts (a moderate one here) is a bridge.
    const counted = correlate([makeAnomaly('payment-api', '2026-04-21T05:00:00Z', { paging_weight: 'moderate' })]);
    const via = correlate([makeAnomaly('fraud-api', '2026-04-21T05:01:00Z')], counted.opened);
    expect([via.opened.length, via.updated.length]).toEqual([0, 1]);
  });

  it('groups related anomalies close in time into one incident, whatever order they come in', () => {
    const anomalies = [
      makeAnomaly('checkout-api', '2026-04-21T02:15:00Z'),
      makeAnomaly('payment-api', '2026-04-21T02:13:00Z'),
      makeAnomaly('payment-api', '2026-04-21T02:14:00Z', { metric_name: 'error_rate' }),
    ];
    for (const order of [anomalies, [...anomalies].reverse()]) {
      const { opened } = correlate(order);
      expect(opened).toHaveLength(1);
      expect([...(opened[0] as IncidentDraft).members.keys()].sort()).toEqual(['checkout-api', 'payment-api']);
      expect(opened[0]?.total).toBe(3);
    }
  });

  it('joins services anomalous in the same scrape through the ones between them', () => {
    // edge and fraud-api are not neighbours; in one batch with checkout and payment they are one story.
    const at = '2026-04-21T02:13:00Z';
    const { opened } = correlate(['fraud-api', 'edge', 'checkout-api', 'payment-api'].map((s) => makeAnomaly(s, at)));
    expect(opened).toHaveLength(1);
  });

  it('keeps unrelated services, distant times and other namespaces apart', () => {
    const { opened } = correlate([
      makeAnomaly('payment-api', '2026-04-21T02:13:00Z'),
      makeAnomaly('search-api', '2026-04-21T02:13:00Z'),
      makeAnomaly('payment-api', '2026-04-21T02:14:00Z', { namespace: 'staging' }),
    ]);
    expect(opened.map((d) => `${[...d.members.keys()].join()}@${d.namespace}`).sort()).toEqual([
      'payment-api@shop',
      'payment-api@staging',
      'search-api@shop',
    ]);
    // 30 minutes later (window 10 min): a new story.
    const first = correlate([makeAnomaly('payment-api', '2026-04-21T02:13:00Z')]).opened;
    const later = correlate(
      [makeAnomaly('payment-api', '2026-04-21T02:45:00Z')],
      first.map((d) => ({ ...d, id: 'inc-1' })),
    );
    expect(later.opened).toHaveLength(1);
  });

  it('keeps absorbing while anomalies keep coming, up to the maximum age', () => {
    let open: IncidentDraft[] = correlate([makeAnomaly('payment-api', '2026-04-21T02:00:00Z')]).opened.map((d) => ({
      ...d,
      id: 'inc-1',
    }));
    // Every 8 minutes for an hour: each within the window of the previous one.
    for (let m = 8; m <= 64; m += 8) {
      const at = new Date(Date.parse('2026-04-21T02:00:00Z') + m * 60_000).toISOString();
      const r = correlate([makeAnomaly('payment-api', at)], open);
      expect(r.opened).toEqual([]);
      open = r.updated;
    }
    const tooOld = correlateAnomalies({
      anomalies: [makeAnomaly('payment-api', '2026-04-21T03:10:00Z')],
      open,
      topology,
      settings: { windowSeconds: 600, maxIncidentSeconds: 3600 },
    });
    expect(tooOld.opened).toHaveLength(1);
  });

  it('merges stories nobody was paged for when an anomaly ties them together', () => {
    const a = correlate([makeAnomaly('fraud-api', '2026-04-21T02:10:00Z')]).opened.map((d) => ({ ...d, id: 'inc-a' }));
    const b = correlate([makeAnomaly('cart-api', '2026-04-21T02:11:00Z')]).opened.map((d) => ({ ...d, id: 'inc-b' }));
    // checkout-api calls both payment (→ fraud) … and cart: payment + checkout tie them.
    const r = correlate(
      [makeAnomaly('payment-api', '2026-04-21T02:12:00Z'), makeAnomaly('checkout-api', '2026-04-21T02:12:00Z')],
      [...a, ...b],
    );
    expect(r.updated).toHaveLength(1);
    expect(r.updated[0]?.id).toBe('inc-a');
    expect(r.updated[0]?.absorbed).toEqual(['inc-b']);
    expect([...(r.updated[0] as IncidentDraft).members.keys()].sort()).toEqual([
      'cart-api',
      'checkout-api',
      'fraud-api',
      'payment-api',
    ]);
  });
});

describe('hypothesis and severity', () => {
  it('names the earliest service, with the callers that followed, and a deploy', () => {
    const { opened } = correlate([
      makeAnomaly('fraud-api', '2026-04-21T02:13:00Z', { evidence: { recent_deploy: 'fraud-api 1.4.2' } }),
      makeAnomaly('payment-api', '2026-04-21T02:15:00Z'),
      makeAnomaly('checkout-api', '2026-04-21T02:16:00Z'),
    ]);
    const hypothesis = rankHypothesis(opened[0] as IncidentDraft, topology);
    expect(hypothesis.probable_starting_service).toBe('fraud-api');
    expect(hypothesis.reason).toContain('earliest anomaly (02:13 UTC');
    expect(hypothesis.reason).toContain('its callers payment-api, checkout-api followed within 3 min');
    expect(hypothesis.reason).toContain('fraud-api 1.4.2');
    expect(hypothesis.confidence).toBeGreaterThanOrEqual(0.8);
  });

  it('says when the deploy went out, and how long before the first anomaly', () => {
    const deploy = deployReference('fraud-api 1.4.2', Date.parse('2026-04-21T02:09:00Z'));
    const { opened } = correlate([
      makeAnomaly('fraud-api', '2026-04-21T02:13:00Z', { evidence: { recent_deploy: deploy } }),
    ]);
    const hypothesis = rankHypothesis(opened[0] as IncidentDraft, topology);
    expect(hypothesis.reason).toContain('deployed 4 min before (fraud-api 1.4.2, 02:09 UTC)');
  });

  it('among near-simultaneous onsets of a fault, prefers the callee that explains the others', () => {
    const { opened } = correlate([
      makeAnomaly('checkout-api', '2026-04-21T02:13:00Z'),
      makeAnomaly('payment-api', '2026-04-21T02:14:00Z'),
    ]);
    expect(rankHypothesis(opened[0] as IncidentDraft, topology).probable_starting_service).toBe('payment-api');
  });

  it('for a traffic surge, names the edge that called the others, even if a callee twitched first', () => {
    const traffic = new Set(['request_rate']);
    const rps = (service: string, at: string) => makeAnomaly(service, at, { metric_name: 'request_rate' });
    const { opened } = correlate(
      [
        rps('payment-api', '2026-04-21T02:12:00Z'),
        rps('edge', '2026-04-21T02:13:00Z'),
        rps('checkout-api', '2026-04-21T02:13:00Z'),
        makeAnomaly('payment-api', '2026-04-21T02:14:00Z'),
      ],
      [],
      traffic,
    );
    const hypothesis = rankHypothesis(opened[0] as IncidentDraft, topology);
    expect(hypothesis.probable_starting_service).toBe('edge');
    expect(hypothesis.reason).toContain('traffic entered here and loaded what it calls');
  });

  it('a fault arriving on a story opened by a morning ramp is named by its symptoms, not by the ramp', () => {
    const traffic = new Set(['request_rate']);
    const at = (minute: number) => `2026-04-21T02:${String(minute).padStart(2, '0')}:00Z`;
    const rps = (service: string, minute: number) => makeAnomaly(service, at(minute), { metric_name: 'request_rate' });
    // Demand climbs on every service from 02:00 (CPU following it, too little to page)...
    const ramp = [0, 6, 12, 18, 24].flatMap((minute) => [
      rps('edge', minute),
      rps('checkout-api', minute),
      rps('payment-api', minute),
      makeAnomaly('edge', at(minute), { metric_name: 'cpu_usage', paging_weight: 'minor' }),
    ]);
    // ...and at 02:30 fraud-api slows down, its caller with it.
    const fault = [30, 31].flatMap((minute) => [
      makeAnomaly('fraud-api', at(minute)),
      makeAnomaly('payment-api', at(minute)),
    ]);
    const { opened } = correlate([...ramp, ...fault], [], traffic);
    expect(opened).toHaveLength(1);
    const hypothesis = rankHypothesis(opened[0] as IncidentDraft, topology);
    expect(hypothesis.probable_starting_service).toBe('fraud-api');
    expect(hypothesis.reason).toContain('earliest anomaly (02:30 UTC');
    // The same surge arriving with its symptoms is still told by where it entered.
    const surge = correlate([rps('edge', 30), rps('checkout-api', 30), rps('payment-api', 30), ...fault], [], traffic)
      .opened[0] as IncidentDraft;
    expect(rankHypothesis(surge, topology).probable_starting_service).toBe('edge');
  });

  it('is less sure about a lone service, and rates severity by tier and breadth', () => {
    const lone = correlate([makeAnomaly('cart-api', '2026-04-21T02:13:00Z')]).opened[0] as IncidentDraft;
    expect(rankHypothesis(lone, topology)).toMatchObject({ probable_starting_service: 'cart-api', confidence: 0.5 });
    expect(assessSeverity(lone, topology)).toBe('warning');
    const incident = (services: string[]) =>
      correlate(services.map((s) => makeAnomaly(s, '2026-04-21T02:13:00Z'))).opened[0] as IncidentDraft;
    expect(assessSeverity(incident(['payment-api']), topology)).toBe('high');
    expect(assessSeverity(incident(['payment-api', 'fraud-api']), topology)).toBe('critical');
  });
});

describe('lifecycle on real SQLite', () => {
  let db: Db;
  let repos: Repos;
  const routing = { teamChannels: new Map([['payments', '#team-payments']]), defaultChannel: '#vigil-alerts' };
  const calendar = createOpsCalendar({ topology, deployGraceMs: 120_000, maintenanceGraceMs: 900_000 }, [
    {
      type: 'maintenance',
      service: 'fraud-api',
      namespace: 'shop',
      starts_at: '2026-04-21T05:00:00Z',
      ends_at: '2026-04-21T05:30:00Z',
      reason: 'database failover drill',
    },
    { type: 'deploy', service: 'cart-api', namespace: 'shop', version: 'cart 2.0', timestamp: '2026-04-21T07:00:00Z' },
  ]);
  const apply = (events: AnomalyEvent[], now: string, overrides: Partial<LifecycleSettings> = {}) => {
    const fresh = repos.anomalies.insert(events, now);
    return applyAnomalies(fresh, {
      incidents: repos.incidents,
      topology,
      routing,
      settings: lifecycleSettings(overrides),
      suppression: (a) => calendar.suppression(a.service, a.namespace, Date.parse(a.timestamp))?.reason ?? null,
      now: new Date(now),
    });
  };

  /** A symptom that persists on one service: its latency, then its errors a minute later (HH:MM on 2026-04-21). */
  const persisting = (service: string, first: string, second: string) => [
    makeAnomaly(service, `2026-04-21T${first}:00Z`),
    makeAnomaly(service, `2026-04-21T${second}:00Z`, { metric_name: 'error_rate' }),
  ];

  beforeEach(() => {
    db = openDatabase(':memory:');
    repos = createRepos(db);
  });
  afterEach(() => db.close());

  it('a single one-sample blip is recorded, not paged; the symptom persisting opens the incident', () => {
    const blip = apply([makeAnomaly('payment-api', '2026-04-21T02:13:00Z')], '2026-04-21T02:14:00Z');
    expect(blip.opened).toEqual([]);
    expect(blip.recorded).toHaveLength(1);
    const id = blip.recorded[0] as string;
    expect(repos.incidents.get(id)).toMatchObject({ pending: true, opened_at: null });
    expect(repos.incidents.listActive()).toEqual([]);
    const second = apply(
      [makeAnomaly('payment-api', '2026-04-21T02:14:00Z'), makeAnomaly('checkout-api', '2026-04-21T02:14:00Z')],
      '2026-04-21T02:15:00Z',
    );
    expect(second.opened).toEqual([id]);
    expect(repos.incidents.get(id)).toMatchObject({
      pending: false,
      status: 'open',
      opened_at: '2026-04-21T02:15:00.000Z',
      channel: '#team-payments',
      services: ['payment-api', 'checkout-api'],
    });
    expect(repos.incidents.transitions(id).map((t) => [t.from_status, t.to_status, t.actor])).toEqual([
      [null, 'open', 'vigil'],
      [null, 'open', 'vigil'],
    ]);
    expect(repos.incidents.transitions(id)[1]?.reason).toBe('opened: 3 anomalies in 2 services');
  });

  it('two outages people see stay apart: a later anomaly of a service goes to the open story it is part of', () => {
    const at = (minute: number) => `2026-04-21T02:${String(minute).padStart(2, '0')}:00Z`;
    // As production runs it: a paged story stays open for resolve_after_quiet_seconds.
    const open = { openWindowSeconds: 1800 };
    const a = apply(
      [makeAnomaly('fraud-api', at(0)), makeAnomaly('payment-api', at(0)), makeAnomaly('fraud-api', at(1))],
      at(1),
      open,
    );
    const b = apply([makeAnomaly('cart-api', at(2)), makeAnomaly('cart-api', at(3))], at(3), open);
    expect(a.opened).toHaveLength(1);
    expect(b.opened).toHaveLength(1);
    // Twelve minutes after its last anomaly, cart-api again, with checkout-api, which calls both.
    const later = apply([makeAnomaly('cart-api', at(15)), makeAnomaly('checkout-api', at(15))], at(15), open);
    expect(later.opened).toEqual([]);
    expect(repos.incidents.get(b.opened[0] as string)?.services).toEqual(['cart-api', 'checkout-api']);
    expect(repos.incidents.get(a.opened[0] as string)?.services).toEqual(['fraud-api', 'payment-api']);
  });

  it('symptoms that moved too little to page are recorded, also once the incident is read back', () => {
    const minor = (service: string, minute: number) =>
      makeAnomaly(service, `2026-04-21T03:0${minute}:00Z`, { value: 0.5, expected: 0.4, paging_weight: 'minor' });
    // Persisting on one service and on three at once: minor symptoms alone never page.
    const first = apply([minor('payment-api', 0), minor('payment-api', 1)], '2026-04-21T03:01:30Z');
    expect(first.opened).toEqual([]);
    const wide = apply(
      [minor('payment-api', 2), minor('checkout-api', 2), minor('edge', 2), minor('fraud-api', 2)],
      '2026-04-21T03:02:30Z',
    );
    expect(wide.opened).toEqual([]);
    // The same incident, read back from SQLite, still counts them as minor: the next real symptom
    // must persist itself before it pages.
    const real = (minute: number) => makeAnomaly('payment-api', `2026-04-21T03:0${minute}:00Z`);
    expect(apply([real(3)], '2026-04-21T03:03:30Z').opened).toEqual([]);
    const paged = apply([real(4)], '2026-04-21T03:04:30Z');
    expect(paged.opened).toHaveLength(1);
    expect(repos.incidents.anomalyCount(paged.opened[0] as string)).toBe(8);
  });

  it('a moderate symptom pages only once it lasts persistence_points, also read back from SQLite', () => {
    const moderate = (minute: number) =>
      makeAnomaly('payment-api', `2026-04-21T03:${String(10 + minute)}:00Z`, {
        value: 0.65,
        expected: 0.4,
        paging_weight: 'moderate',
      });
    const settings = { persistencePoints: 4 };
    // Each cycle reads the incident back from SQLite: three moderate points do not page...
    for (const minute of [0, 1, 2]) {
      const step = apply([moderate(minute)], `2026-04-21T03:${String(10 + minute)}:30Z`, settings);
      expect(step.opened).toEqual([]);
    }
    // ...the fourth does.
    expect(apply([moderate(3)], '2026-04-21T03:13:30Z', settings).opened).toHaveLength(1);
    // Without persistence_points (older settings) a moderate symptom never pages on persistence.
    const other = (minute: number) =>
      makeAnomaly('search-api', `2026-04-21T05:0${minute}:00Z`, { paging_weight: 'moderate' });
    expect(apply([0, 1, 2, 3, 4, 5].map(other), '2026-04-21T05:06:00Z').opened).toEqual([]);
  });

  it('a moderate point followed by one of full weight pages, as a fault’s first two points do', () => {
    const first = makeAnomaly('fraud-api', '2026-04-21T06:00:00Z', { paging_weight: 'moderate' });
    // Read back from SQLite in between: the pair is found there as in memory.
    expect(apply([first], '2026-04-21T06:00:30Z', { persistencePoints: 5 }).opened).toEqual([]);
    const second = makeAnomaly('fraud-api', '2026-04-21T06:01:00Z');
    expect(apply([second], '2026-04-21T06:01:30Z', { persistencePoints: 5 }).opened).toHaveLength(1);
    // Two moderate points are not enough; a full-weight one after them is.
    const m = (minute: number) =>
      makeAnomaly('cart-api', `2026-04-21T08:0${minute}:00Z`, { paging_weight: 'moderate' });
    expect(apply([m(0), m(1)], '2026-04-21T08:01:30Z', { persistencePoints: 5 }).opened).toEqual([]);
    const full = makeAnomaly('cart-api', '2026-04-21T08:02:00Z');
    expect(apply([full], '2026-04-21T08:02:30Z', { persistencePoints: 5 }).opened).toHaveLength(1);
  });

  it('read back from SQLite, a story whose neighbour was only minor noise does not take in a separate fault', () => {
    apply([makeAnomaly('payment-api', '2026-04-21T07:00:00Z', { paging_weight: 'minor' })], '2026-04-21T07:00:30Z');
    const fault = apply([makeAnomaly('fraud-api', '2026-04-21T07:01:00Z')], '2026-04-21T07:01:30Z');
    expect(fault.recorded).toHaveLength(1);
    expect(repos.incidents.get(fault.recorded[0] as string)?.services).toEqual(['fraud-api']);
  });

  it('a service that stops reporting pages: silence is persistent by definition', () => {
    const silent = apply(
      [makeAnomaly('payment-api', '2026-04-21T09:00:00Z', { detector: 'absent', evidence: { missing_samples: 10 } })],
      '2026-04-21T09:00:30Z',
      { minAnomalies: 1 },
    );
    expect(silent.opened).toHaveLength(1);
    const twoSeries = apply(
      ['latency_p99', 'error_rate'].map((m) =>
        makeAnomaly('cart-api', '2026-04-21T10:00:00Z', { detector: 'absent', metric_name: m }),
      ),
      '2026-04-21T10:00:30Z',
    );
    expect(twoSeries.opened).toHaveLength(1);
  });

  it('blips do not add up to a page: several metrics in one scrape, coincident blips minutes apart, demand alone', () => {
    const at = '2026-04-21T02:13:00Z';
    const multi = apply(
      ['latency_p99', 'error_rate', 'cpu_usage'].map((m) => makeAnomaly('payment-api', at, { metric_name: m })),
      '2026-04-21T02:14:00Z',
    );
    expect(multi.opened).toEqual([]);
    const apart = apply(
      [makeAnomaly('cart-api', '2026-04-21T04:00:00Z'), makeAnomaly('checkout-api', '2026-04-21T04:05:00Z')],
      '2026-04-21T04:06:00Z',
    );
    expect(apart.opened).toEqual([]);
    const rps = (service: string, minute: number) =>
      makeAnomaly(service, `2026-04-21T06:0${minute}:00Z`, { metric_name: 'request_rate' });
    const demand = applyAnomalies(
      repos.anomalies.insert([rps('edge', 0), rps('edge', 1), rps('checkout-api', 1), rps('edge', 2)], 'x'),
      {
        incidents: repos.incidents,
        topology,
        routing,
        settings: lifecycleSettings(),
        trafficMetrics: new Set(['request_rate']),
        now: new Date('2026-04-21T06:03:00Z'),
      },
    );
    expect(demand.opened).toEqual([]);
  });

  it('symptoms on three services page when they come at once, not scattered over a long story', () => {
    const at = (minute: number) => `2026-04-21T11:${String(minute).padStart(2, '0')}:00Z`;
    const rps = (service: string, minute: number) => makeAnomaly(service, at(minute), { metric_name: 'request_rate' });
    const moderate = (service: string, minute: number) =>
      makeAnomaly(service, at(minute), { paging_weight: 'moderate' });
    const traffic = new Set(['request_rate']);
    const step = (events: AnomalyEvent[], now: string) =>
      applyAnomalies(repos.anomalies.insert(events, now), {
        incidents: repos.incidents,
        topology,
        routing,
        settings: lifecycleSettings({ persistencePoints: 15 }),
        trafficMetrics: traffic,
        now: new Date(now),
      });
    // A night of record-low demand holds the story together; a moderate twitch here, one there.
    const services = ['edge', 'checkout-api', 'payment-api', 'cart-api'];
    let opened: string[] = [];
    for (let minute = 0; minute <= 14; minute += 1) {
      const events = services.map((s) => rps(s, minute));
      if (minute === 0) events.push(moderate('checkout-api', minute));
      if (minute === 7) events.push(moderate('payment-api', minute));
      if (minute === 14) events.push(moderate('cart-api', minute));
      opened = [...opened, ...step(events, at(minute)).opened];
    }
    expect(opened).toEqual([]);
    // Three services with symptoms within a few scrapes of one another: a fault spreading, it pages.
    const spreading = step([moderate('edge', 16), moderate('checkout-api', 17), moderate('payment-api', 18)], at(18));
    expect(spreading.opened).toHaveLength(1);
  });

  it('a symptom persisting where it may be a daily pattern pages only once it spreads', () => {
    const at = (minute: number) => `2026-04-21T12:${String(minute).padStart(2, '0')}:00Z`;
    const unseasoned = (service: string, minute: number, metric = 'latency_p99') =>
      makeAnomaly(service, at(minute), { metric_name: metric, novelty: minute % 2 ? 'unseasoned' : 'recurring' });
    const settings = { unseasonedMinServices: 2, persistencePoints: 5 };
    // A database's nightly job in its first nights (its hour new to the seasonal baseline, or seen at
    // this time yesterday): latency and CPU up together, minute after minute, on that service alone.
    // Recorded, however long it lasts.
    for (let minute = 0; minute < 10; minute += 1) {
      const cycle = apply(
        [unseasoned('fraud-api', minute), unseasoned('fraud-api', minute, 'cpu_usage')],
        at(minute),
        settings,
      );
      expect(cycle.opened).toEqual([]);
    }
    // Its caller shows a symptom that counts: a fault that reaches its callers pages.
    const spread = apply([unseasoned('payment-api', 10), unseasoned('fraud-api', 10)], at(10), settings);
    expect(spread.opened).toHaveLength(1);
    // The same symptom where the hour is known pages alone, as before; so it does without the rule.
    expect(apply(persisting('cart-api', '12:20', '12:21'), at(21), settings).opened).toHaveLength(1);
    const off = apply([unseasoned('search-api', 30), unseasoned('search-api', 31)], at(31), {
      ...settings,
      unseasonedMinServices: 1,
    });
    expect(off.opened).toHaveLength(1);
    // A silent series is not held back: an absence is persistent by definition.
    const silent = apply(
      [
        makeAnomaly('search-api', at(50), { detector: 'absent' }),
        makeAnomaly('search-api', at(50), { detector: 'absent', metric_name: 'error_rate' }),
      ],
      at(50),
      settings,
    );
    expect(silent.opened).toHaveLength(1);
  });

  it('anomalies in a maintenance window (and of callers of the service under maintenance) do not page', () => {
    const inWindow = apply(
      [
        makeAnomaly('fraud-api', '2026-04-21T05:05:00Z'),
        makeAnomaly('fraud-api', '2026-04-21T05:06:00Z', { metric_name: 'error_rate' }),
        makeAnomaly('payment-api', '2026-04-21T05:06:00Z'),
      ],
      '2026-04-21T05:07:00Z',
    );
    expect(inWindow.opened).toEqual([]);
    const id = inWindow.recorded[0] as string;
    const suppressed = repos.incidents.get(id);
    expect(suppressed?.status).toBe('suppressed');
    expect(suppressed?.suppression_reason).toContain(
      'maintenance of fraud-api (database failover drill, 05:00–05:30 UTC)',
    );
    // Anomalies keep coming through the window and while recovering after it: still quiet.
    for (const at of ['05:14', '05:22', '05:30', '05:38']) {
      expect(apply([makeAnomaly('fraud-api', `2026-04-21T${at}:00Z`)], `2026-04-21T${at}:30Z`).opened).toEqual([]);
    }
    // Past the recovery grace, one anomaly is not evidence enough: what the window covered does not
    // count towards paging...
    expect(apply([makeAnomaly('fraud-api', '2026-04-21T05:48:00Z')], '2026-04-21T05:48:30Z').opened).toEqual([]);
    expect(repos.incidents.get(id)?.status).toBe('suppressed');
    // ...a symptom that persists outside it does: the story pages, and its card says it overlapped the window.
    const after = apply([makeAnomaly('fraud-api', '2026-04-21T05:49:00Z')], '2026-04-21T05:49:30Z');
    expect(after.opened).toEqual([id]);
    expect(repos.incidents.get(id)?.notes[0]).toContain('Overlaps maintenance of fraud-api');
  });

  it('paging on the first anomaly (min_anomalies 1) still never pages inside a maintenance window', () => {
    const inWindow = apply([makeAnomaly('fraud-api', '2026-04-21T05:10:00Z')], '2026-04-21T05:10:30Z', {
      minAnomalies: 1,
    });
    expect(inWindow.opened).toEqual([]);
    expect(repos.incidents.get(inWindow.recorded[0] as string)?.status).toBe('suppressed');
    const outside = apply([makeAnomaly('search-api', '2026-04-21T05:10:00Z')], '2026-04-21T05:10:30Z', {
      minAnomalies: 1,
    });
    expect(outside.opened).toHaveLength(1);
  });

  it('a deploy grace period suppresses paging right after a deploy', () => {
    const r = apply(
      [
        makeAnomaly('cart-api', '2026-04-21T07:00:30Z'),
        makeAnomaly('cart-api', '2026-04-21T07:01:30Z', { metric_name: 'error_rate' }),
      ],
      '2026-04-21T07:02:00Z',
    );
    expect(r.opened).toEqual([]);
    expect(repos.incidents.get(r.recorded[0] as string)?.suppression_reason).toContain(
      'deploy grace period after cart 2.0',
    );
  });

  it('resolves a quiet incident; a resolved one never absorbs: the next story opens and links to it', () => {
    const first = apply(
      [
        makeAnomaly('payment-api', '2026-04-21T02:13:00Z'),
        makeAnomaly('payment-api', '2026-04-21T02:14:00Z', { metric_name: 'error_rate' }),
      ],
      '2026-04-21T02:15:00Z',
    );
    const id = first.opened[0] as string;
    const quiet = apply([], '2026-04-21T02:45:00Z');
    expect(quiet.resolved).toEqual([id]);
    expect(repos.incidents.get(id)).toMatchObject({ status: 'resolved', resolved_at: '2026-04-21T02:45:00.000Z' });
    expect(repos.incidents.transitions(id).at(-1)).toMatchObject({
      to_status: 'resolved',
      reason: 'no new anomaly for 30 min',
    });
    const again = apply(
      [
        makeAnomaly('payment-api', '2026-04-21T02:50:00Z'),
        makeAnomaly('payment-api', '2026-04-21T02:51:00Z', { metric_name: 'error_rate' }),
      ],
      '2026-04-21T02:52:00Z',
    );
    expect(again.opened).toHaveLength(1);
    expect(again.opened[0]).not.toBe(id);
    expect(repos.incidents.get(again.opened[0] as string)?.previous_incident_id).toBe(id);
  });

  it('a story about to page a few calls from an incident already paged joins it instead', () => {
    const first = apply(
      [
        makeAnomaly('edge', '2026-04-21T08:00:00Z'),
        makeAnomaly('edge', '2026-04-21T08:01:00Z', { metric_name: 'error_rate' }),
      ],
      '2026-04-21T08:02:00Z',
    );
    const id = first.opened[0] as string;
    // fraud-api is three calls from edge (edge → checkout → payment → fraud): a far leaf of the same story.
    const far = apply(
      [
        makeAnomaly('fraud-api', '2026-04-21T08:03:00Z'),
        makeAnomaly('fraud-api', '2026-04-21T08:04:00Z', { metric_name: 'error_rate' }),
      ],
      '2026-04-21T08:05:00Z',
      { joinHops: 3 },
    );
    expect(far.opened).toEqual([]);
    expect(repos.incidents.anomalyCount(id)).toBe(4);
    const joined = far.recorded[0] as string;
    expect(repos.incidents.transitions(joined).at(-1)?.reason).toBe(`merged into ${id}: the same story`);
  });

  it('an outage that only shares a caller with a paged one pages on its own, joining on', () => {
    const first = apply(persisting('cart-api', '09:00', '09:01'), '2026-04-21T09:02:00Z');
    expect(first.opened).toHaveLength(1);
    // payment-api and cart-api are both called by checkout-api, and nothing else connects them.
    const second = apply(persisting('payment-api', '09:03', '09:04'), '2026-04-21T09:05:00Z', { joinHops: 3 });
    expect(second.opened).toHaveLength(1);
    expect(second.opened).not.toEqual(first.opened);
  });

  it('with joining off, the far leaf pages on its own', () => {
    apply(persisting('edge', '08:00', '08:01'), '2026-04-21T08:02:00Z');
    const alone = apply(persisting('fraud-api', '08:03', '08:04'), '2026-04-21T08:05:00Z', { joinHops: 0 });
    expect(alone.opened).toHaveLength(1);
  });

  it('two processes on the same database (a restart mid-cycle, overlapping cycles) open one incident', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-guard-'));
    try {
      const one = openDatabase(join(dir, 'v.db'));
      const two = openDatabase(join(dir, 'v.db'));
      const events = [
        makeAnomaly('payment-api', '2026-04-21T02:13:00Z'),
        makeAnomaly('payment-api', '2026-04-21T02:14:00Z', { metric_name: 'error_rate' }),
      ];
      const run = (db: Db) => {
        const r = createRepos(db);
        return applyAnomalies(r.anomalies.insert(events, 'x'), {
          incidents: r.incidents,
          topology,
          routing,
          settings: lifecycleSettings(),
          now: new Date('2026-04-21T02:15:00Z'),
        });
      };
      expect(run(one).opened).toHaveLength(1);
      // The same anomalies again: already stored, so nothing new to correlate.
      expect(run(two)).toEqual({ opened: [], updated: [], resolved: [], recorded: [] });
      expect(one.prepare('SELECT COUNT(*) AS n FROM incidents').get()).toEqual({ n: 1 });
      one.close();
      two.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('storing the same anomaly twice (a retried cycle) adds nothing', () => {
    const event = makeAnomaly('payment-api', '2026-04-21T02:13:00Z');
    expect(repos.anomalies.insert([event], 'x')).toEqual([event]);
    expect(repos.anomalies.insert([event], 'x')).toEqual([]);
  });
});
