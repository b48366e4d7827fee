/**
 * The card's truthful parts: the timeline in time order (first anomaly, spread, deploys,
 * acknowledgement, when the anomalies stopped, resolution, duration), evidence in time order with
 * labelled times, rarity instead of a score, deviation in the metric's units, labelled fields.
 */
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/contracts/index.js';
import { deployReference } from '../../src/incidents/deploy-reference.js';
import { BlockId } from '../../src/slack/action-ids.js';
import { checkBlockKitLimits } from '../../src/slack/blocks/block-kit-limits.js';
import { buildIncidentCard, type IncidentCardInput } from '../../src/slack/blocks/build-incident-card.js';
import { deviationPhrase } from '../../src/slack/blocks/deviation-phrase.js';
import { formatDuration, type TimelineSpan, timelineLines } from '../../src/slack/blocks/incident-timeline.js';
import { rarityPhrase } from '../../src/slack/blocks/rarity-phrase.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';
import { makeOpenIncident } from '../helpers/make-incident.js';

const span = (
  service: string,
  metric: string,
  first: string,
  last: string,
  deploy: string | null = null,
): TimelineSpan => ({
  series_key: `shop/${service}/${metric}`,
  service,
  metric_name: metric,
  first_at: `2026-11-02T${first}:00.000Z`,
  last_at: `2026-11-02T${last}:00.000Z`,
  recent_deploy: deploy,
});

const DEPLOY = deployReference('payment-api 2026.11.02-3', Date.parse('2026-11-02T04:54:00.000Z'));
// Given out of order on purpose: the timeline orders them.
const SPANS = [
  span('web-frontend', 'error_rate', '05:04', '05:30'),
  span('payment-api', 'latency_p99', '05:00', '05:31', DEPLOY),
  span('checkout-api', 'latency_p99', '05:02', '05:29'),
  span('payment-api', 'error_rate', '05:02', '05:29', DEPLOY),
];

function resolvedIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    ...makeOpenIncident('inc-1', ['payment-api', 'checkout-api', 'web-frontend'], '2026-11-02T05:00:00.000Z'),
    created_at: '2026-11-02T05:00:00.000Z',
    last_anomaly_at: '2026-11-02T05:29:00.000Z',
    updated_at: '2026-11-02T05:59:00.000Z',
    resolved_at: '2026-11-02T05:59:00.000Z',
    status: 'resolved',
    ...overrides,
  };
}

const at = (hhmm: string) => `2026-11-02T${hhmm}:00.000Z`;

describe('the timeline', () => {
  it('reads in time order: deploy, first anomaly, spread, acknowledgement, anomalies stopped, quiet resolution', () => {
    const lines = timelineLines({
      incident: resolvedIncident(),
      spans: SPANS,
      transitions: [
        { to_status: 'resolved', actor: 'vigil', reason: 'no new anomaly for 30 min', at: at('05:59') },
        { to_status: 'acknowledged', actor: 'U0ALICE', reason: 'acknowledged', at: at('05:07') },
      ],
    });
    expect(lines).toEqual([
      '`04:54` deploy of *payment-api 2026.11.02-3*',
      '`05:00` first anomaly: *payment-api* (latency_p99)',
      '`05:02` spread to *checkout-api* (latency_p99)',
      '`05:04` spread to *web-frontend* (error_rate)',
      '`05:07` acknowledged by <@U0ALICE>',
      // The latest anomaly of any series, not only the incident's last "evidence" one (05:29).
      '`05:31` anomalies stopped (last anomaly) · lasted 31 min (05:00–05:31 UTC)',
      '`05:59` resolved automatically: no new anomaly for 30 min',
    ]);
  });

  it('says who resolved it by hand, and why', () => {
    const lines = timelineLines({
      incident: resolvedIncident({ resolved_at: at('05:20'), updated_at: at('05:20'), last_anomaly_at: at('05:18') }),
      spans: [span('payment-api', 'latency_p99', '05:00', '05:18')],
      transitions: [{ to_status: 'resolved', actor: 'U0BOB', reason: 'rolled back', at: at('05:20') }],
    });
    expect(lines.at(-2)).toBe('`05:18` anomalies stopped (last anomaly) · lasted 18 min (05:00–05:18 UTC)');
    expect(lines.at(-1)).toBe('`05:20` resolved by <@U0BOB>: rolled back');
  });

  it('tells an ongoing incident how long so far', () => {
    const lines = timelineLines({
      incident: resolvedIncident({
        status: 'open',
        resolved_at: null,
        updated_at: at('05:12'),
        last_anomaly_at: at('05:11'),
      }),
      spans: [span('payment-api', 'latency_p99', '05:00', '05:11')],
      transitions: [],
    });
    expect(lines.at(-1)).toBe('`05:11` latest anomaly so far · ongoing for 12 min (as of 05:12 UTC)');
  });

  it('formats durations', () => {
    expect(formatDuration(42 * 60_000)).toBe('42 min');
    expect(formatDuration(125 * 60_000)).toBe('2 h 5 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
  });
});

describe('rarity and deviation', () => {
  it('says a score as the rarity of the point in its own series', () => {
    expect(rarityPhrase({ detector: 'robust_mad', anomaly_score: 0.9999 })).toBe(
      'rarer than 1 in 10 000 points of this series',
    );
    expect(rarityPhrase({ detector: 'level_shift', anomaly_score: 0.995 })).toBe(
      'rarer than 1 in 100 points of this series',
    );
    // Capped: a history of one-minute points cannot back more than 1 in a million.
    expect(rarityPhrase({ detector: 'rolling_zscore', anomaly_score: 1 })).toBe(
      'rarer than 1 in 1 000 000 points of this series',
    );
    expect(rarityPhrase({ detector: 'robust_mad', anomaly_score: 0.8 })).toBe(
      'as rare as 1 in 5 points of this series',
    );
    // Not a rarity: nothing said.
    expect(rarityPhrase({ detector: 'slo_burn_rate', anomaly_score: 0.99 })).toBeNull();
    expect(rarityPhrase({ detector: 'alertmanager', anomaly_score: 1 })).toBeNull();
  });

  it('gives the deviation in the metric unit, from the band, with a ratio when it is large', () => {
    const up = { value: 1.6, expected: 0.4, lower_bound: 0.38, upper_bound: 0.42, direction: 'up' as const };
    expect(deviationPhrase(up, 'seconds')).toBe('+1.18 s above the expected 380 ms – 420 ms, 4.0× the expected 400 ms');
    const small = { value: 0.5, expected: 0.4, lower_bound: 0.38, upper_bound: 0.42, direction: 'up' as const };
    expect(deviationPhrase(small, 'seconds')).toBe('+80 ms above the expected 380 ms – 420 ms');
    const down = { value: 12, expected: 210, lower_bound: 150, upper_bound: 260, direction: 'down' as const };
    expect(deviationPhrase(down, 'per_second')).toBe(
      '−138/s below the expected 150/s – 260/s, 6% of the expected 210/s',
    );
  });
});

describe('the card with its timeline', () => {
  const latency = makeAnomaly('payment-api', at('05:02'), {
    metric_name: 'latency_p99',
    series_key: 'shop/payment-api/latency_p99',
    value: 0.777,
    expected: 0.18,
    lower_bound: 0.155,
    upper_bound: 0.204,
    anomaly_score: 0.99999,
    detector: 'level_shift',
  });
  const errors = makeAnomaly('web-frontend', at('05:06'), {
    metric_name: 'error_rate',
    series_key: 'shop/web-frontend/error_rate',
    value: 0.0183,
    expected: 0.004,
    lower_bound: 0.0025,
    upper_bound: 0.0054,
    anomaly_score: 0.9999,
    detector: 'level_shift',
  });
  const input: IncidentCardInput = {
    incident: resolvedIncident({ namespace: 'shop', team: 'payments' }),
    // Strongest first, as the store gives them: the card puts them in time order.
    evidence: [errors, latency],
    anomalyCount: 40,
    runbooks: [],
    units: new Map([
      ['latency_p99', 'seconds'],
      ['error_rate', 'ratio'],
    ]),
    timeline: {
      spans: SPANS,
      transitions: [{ to_status: 'resolved', actor: 'vigil', reason: 'no new anomaly for 30 min', at: at('05:59') }],
    },
  };
  const card = buildIncidentCard(input);
  const section = (id: string) => {
    const block = card.blocks.find((b) => b.block_id === id);
    return block?.type === 'section' ? (block.text?.text ?? '') : '';
  };

  it('is within Block Kit limits', () => {
    expect(checkBlockKitLimits(card)).toEqual([]);
  });

  it('labels every field, and says how long a resolved incident lasted', () => {
    const summary = card.blocks.find((b) => b.block_id === BlockId.summary);
    const fields = summary?.type === 'section' ? (summary.fields ?? []).map((f) => f.text) : [];
    for (const f of fields) expect(f).toMatch(/^\*[A-Z][a-z]+( \(\d+\))?\*\n./);
    expect(fields).toContain('*Team*\npayments');
    expect(fields).toContain('*Namespace*\nshop');
    expect(fields).toContain('*Resolved*\n2026-11-02 05:59 UTC');
    expect(fields).toContain('*Duration*\nlasted 31 min (05:00–05:31 UTC)');
  });

  it('shows the timeline after the hypothesis, and no separate decision notes', () => {
    const ids = card.blocks.map((b) => b.block_id);
    expect(ids.indexOf(BlockId.timeline)).toBe(ids.indexOf(BlockId.hypothesis) + 1);
    expect(section(BlockId.timeline)).toContain('*Timeline* (UTC)\n`04:54` deploy of *payment-api 2026.11.02-3*');
  });

  it('lists evidence in time order with labelled times that agree with the timeline', () => {
    const text = section(BlockId.evidence);
    expect(text.indexOf('*payment-api*')).toBeLessThan(text.indexOf('*web-frontend*'));
    expect(text).toContain('first 05:00 UTC · this value 05:02 UTC · latest 05:31 UTC');
    expect(text).toContain('first 05:04 UTC · this value 05:06 UTC · latest 05:30 UTC');
    expect(text).toContain('+573 ms above the expected 155 ms – 204 ms, 4.3× the expected 180 ms');
    expect(text).toContain('rarer than 1 in 100 000 points of this series');
    expect(text).toContain('+1.29% above the expected 0.25% – 0.54%');
    expect(text).not.toMatch(/score \d/);
  });
});
