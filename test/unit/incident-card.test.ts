/**
 * The incident card: its content, its stability (snapshot), Block Kit limits for big incidents,
 * value formatting, and the plain-text rendering used by the demo and replay.
 */
import { describe, expect, it } from 'vitest';
import { type AnomalyEvent, type FeedbackLabel, type Incident, SCHEMA_VERSION } from '../../src/contracts/index.js';
import { ActionId, BlockId } from '../../src/slack/action-ids.js';
import {
  type Block,
  checkBlockKitLimits,
  MAX_MESSAGE_CHARS,
  type SlackMessage,
} from '../../src/slack/blocks/block-kit-limits.js';
import {
  buildIncidentCard,
  escapeMrkdwn,
  type IncidentCardInput,
  type Runbook,
} from '../../src/slack/blocks/build-incident-card.js';
import type { RemediationOffer } from '../../src/slack/blocks/build-remediation-blocks.js';
import { formatValue, sparkline, type Unit, withThousands } from '../../src/slack/blocks/format-value.js';
import { mrkdwnToPlain, renderCardText } from '../../src/slack/blocks/render-card-text.js';
import { makeAnomaly as makeSharedAnomaly } from '../helpers/make-anomaly.js';

function makeIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    schema_version: SCHEMA_VERSION,
    id: 'inc_20250314_0926_payments',
    fingerprint: 'shop/payments+postgres',
    status: 'open',
    severity: 'high',
    services: ['payments', 'postgres', 'checkout'],
    namespace: 'shop',
    team: 'payments',
    channel: '#team-payments',
    created_at: '2025-03-14T09:26:00.000Z',
    updated_at: '2025-03-14T09:31:00.000Z',
    last_anomaly_at: '2025-03-14T09:30:00.000Z',
    resolved_at: null,
    hypothesis: {
      probable_starting_service: 'postgres',
      reason: 'postgres turned anomalous 2 min before payments and checkout, which depend on it.',
      confidence: 0.72,
    },
    slack: null,
    pending: false,
    opened_at: '2025-03-14T09:27:00.000Z',
    suppression_reason: null,
    notes: [],
    previous_incident_id: null,
    ...overrides,
  };
}

/** A payments latency anomaly unless overridden; built on the shared test helper. */
function makeAnomaly(
  overrides: Partial<Omit<AnomalyEvent, 'evidence'>> & { evidence?: Partial<AnomalyEvent['evidence']> } = {},
): AnomalyEvent {
  const { evidence, ...rest } = overrides;
  return makeSharedAnomaly(rest.service ?? 'payments', rest.timestamp ?? '2025-03-14T09:28:00.000Z', {
    value: 1.86,
    expected: 0.28,
    lower_bound: 0.12,
    upper_bound: 0.45,
    anomaly_score: 0.93,
    ...rest,
    evidence: {
      baseline_days: 0.04,
      robust_z_score: 12.4,
      recent_values: [0.27, 0.29, 0.28, 0.3, 0.27, 0.31, 0.9, 1.4, 1.86],
      ...evidence,
    },
  });
}

const UNITS: ReadonlyMap<string, Unit> = new Map<string, Unit>([
  ['latency_p99', 'seconds'],
  ['error_rate', 'ratio'],
  ['request_rate', 'per_second'],
]);

const RUNBOOKS: Runbook[] = [
  { service: 'postgres', title: 'Postgres saturation', url: 'https://runbooks.example.com/postgres/saturation' },
  { service: 'payments', title: 'Payments latency', url: 'https://runbooks.example.com/payments/latency' },
];

function makeInput(overrides: Partial<IncidentCardInput> = {}): IncidentCardInput {
  return {
    incident: makeIncident(),
    evidence: [
      makeAnomaly(),
      makeAnomaly({
        service: 'postgres',
        metric_name: 'error_rate',
        value: 0.023,
        expected: 0.002,
        lower_bound: 0.001,
        upper_bound: 0.004,
        anomaly_score: 0.88,
        detector: 'rolling_zscore',
        timestamp: '2025-03-14T09:26:00.000Z',
        evidence: { missing_samples: 2, recent_values: [0.002, 0.002, 0.003, 0.023] },
      }),
      makeAnomaly({
        service: 'checkout',
        metric_name: 'request_rate',
        value: 12,
        expected: 210,
        lower_bound: 150,
        upper_bound: 260,
        anomaly_score: 0.61,
        direction: 'down',
        window_seconds: 1800,
        evidence: { recent_values: [200, 210, 205, 12] },
      }),
    ],
    anomalyCount: 5,
    runbooks: RUNBOOKS,
    units: UNITS,
    ...overrides,
  };
}

function blockById(message: SlackMessage, blockId: string): Block {
  const block = message.blocks.find((b) => 'block_id' in b && b.block_id === blockId);
  if (!block) throw new Error(`no block ${blockId}`);
  return block;
}

function sectionText(message: SlackMessage, blockId: string): string {
  const block = blockById(message, blockId);
  if (block.type !== 'section' || !block.text) throw new Error(`${blockId} is not a section with text`);
  return block.text.text;
}

function fieldTexts(message: SlackMessage): string[] {
  const block = blockById(message, BlockId.summary);
  if (block.type !== 'section' || !block.fields) throw new Error('summary has no fields');
  return block.fields.map((f) => f.text);
}

function headerText(message: SlackMessage): string {
  const block = blockById(message, BlockId.header);
  if (block.type !== 'header') throw new Error('not a header');
  return block.text.text;
}

describe('buildIncidentCard', () => {
  const card = buildIncidentCard(makeInput());

  it('matches the snapshot', () => {
    expect(card).toMatchSnapshot();
  });

  it('is within Block Kit limits', () => {
    expect(checkBlockKitLimits(card)).toEqual([]);
  });

  it('is pure: the same input gives the same card', () => {
    expect(buildIncidentCard(makeInput())).toEqual(card);
  });

  it('has the header, summary, hypothesis, evidence, lifecycle buttons, runbooks and footer in order', () => {
    expect(card.blocks.map((b) => b.block_id ?? b.type)).toEqual([
      BlockId.header,
      BlockId.summary,
      BlockId.hypothesis,
      'divider',
      BlockId.evidence,
      BlockId.lifecycle,
      BlockId.runbooks,
      BlockId.footer,
    ]);
    expect(headerText(card)).toBe('HIGH · payments, postgres, checkout');
    expect(card.text).toBe(
      '[HIGH] payments, postgres, checkout: probably started at postgres (inc_20250314_0926_payments)',
    );
  });

  it('shows severity, status, services, team and times in the summary', () => {
    expect(fieldTexts(card)).toEqual([
      '*Severity*\n:large_orange_circle: HIGH',
      '*Status*\n:rotating_light: Open',
      '*Services (3)*\npayments, postgres, checkout',
      '*Team*\npayments',
      '*Namespace*\nshop',
      '*Started*\n2025-03-14 09:26 UTC',
      '*Last anomaly*\n2025-03-14 09:30 UTC',
      '*Duration*\nongoing for 5 min (as of 09:31 UTC)',
    ]);
  });

  it('states the hypothesis with its confidence as a percentage and as a hypothesis', () => {
    const text = sectionText(card, BlockId.hypothesis);
    expect(text).toContain('*Probable starting service: postgres*');
    expect(text).toContain('(confidence 72%)');
    expect(text).toContain('postgres turned anomalous 2 min before payments and checkout, which depend on it.');
    expect(text).toContain('not a confirmed root cause');
  });

  it('shows each evidence series with its deviation in its unit, rarity, detector, labelled time and window', () => {
    const text = sectionText(card, BlockId.evidence);
    expect(text).toContain('*Evidence* (5 anomalies in 3 series)');
    // 1.86 s against 120–450 ms: 1.41 s above the band's top, 6.6 times the expected 280 ms.
    expect(text).toContain(
      '*payments* `latency_p99` ↑ *1.86 s*: +1.41 s above the expected 120 ms – 450 ms, 6.6× the expected 280 ms',
    );
    // Score 0.93: a tail of 0.07, rarer than 1 in 10 points of the series.
    expect(text).toContain(
      'far from its recent median (robust_mad) · rarer than 1 in 10 points of this series · at 09:28 UTC · 60 min window, 60 pts',
    );
    expect(text).toContain(
      '*postgres* `error_rate` ↑ *2.3%*: +1.9% above the expected 0.1% – 0.4%, 11.5× the expected 0.2%',
    );
    expect(text).toContain(
      'far from its recent mean (rolling_zscore) · as rare as 1 in 8 points of this series · at 09:26 UTC · 60 min window, 60 pts · 2 missing',
    );
    expect(text).toContain(
      '*checkout* `request_rate` ↓ *12/s*: −138/s below the expected 150/s – 260/s, 6% of the expected 210/s',
    );
    expect(text).not.toMatch(/score \d/);
    expect(text).toContain('30 min window');
    expect(text).not.toContain('more series in the thread');
  });

  it('says in words what a record means, with the history it was judged against', () => {
    const record = makeAnomaly({
      detector: 'record',
      value: 0.95,
      lower_bound: 0.02,
      upper_bound: 0.61,
      evidence: { baseline_days: 9.4 },
    });
    const text = sectionText(buildIncidentCard(makeInput({ evidence: [record] })), BlockId.evidence);
    expect(text).toContain('beyond anything in its 9 days of history (record) · rarer than');
  });

  it('uses the singular for one anomaly and a placeholder without evidence', () => {
    const one = buildIncidentCard(makeInput({ evidence: [makeAnomaly()], anomalyCount: 1 }));
    expect(sectionText(one, BlockId.evidence)).toContain('*Evidence* (1 anomaly in 1 series)');
    const none = buildIncidentCard(makeInput({ evidence: [], anomalyCount: 0 }));
    expect(sectionText(none, BlockId.evidence)).toContain('_no anomalies recorded_');
    expect(checkBlockKitLimits(none)).toEqual([]);
  });

  it('shows a raw number when the metric has no configured unit', () => {
    const card2 = buildIncidentCard(
      makeInput({ evidence: [makeAnomaly({ metric_name: 'queue_depth', value: 4321 })], units: new Map() }),
    );
    expect(sectionText(card2, BlockId.evidence)).toContain(
      '`queue_depth` ↑ *4,321*: +4,321 above the expected 0.12 – 0.45',
    );
  });

  it('links runbooks as buttons with unique action ids', () => {
    const block = blockById(card, BlockId.runbooks);
    if (block.type !== 'actions') throw new Error('not actions');
    expect(block.elements).toEqual([
      {
        type: 'button',
        text: { type: 'plain_text', text: '📖 postgres: Postgres saturation', emoji: true },
        action_id: ActionId.runbook(0),
        url: 'https://runbooks.example.com/postgres/saturation',
      },
      {
        type: 'button',
        text: { type: 'plain_text', text: '📖 payments: Payments latency', emoji: true },
        action_id: ActionId.runbook(1),
        url: 'https://runbooks.example.com/payments/latency',
      },
    ]);
  });

  it('has no runbook block without runbooks, and no lifecycle buttons once resolved', () => {
    const noRunbooks = buildIncidentCard(makeInput({ runbooks: [] }));
    expect(noRunbooks.blocks.some((b) => b.block_id === BlockId.runbooks)).toBe(false);
    expect(checkBlockKitLimits(noRunbooks)).toEqual([]);
    const resolved = buildIncidentCard(
      makeInput({
        runbooks: [],
        incident: makeIncident({ status: 'resolved', resolved_at: '2025-03-14T10:02:00.000Z' }),
      }),
    );
    expect(resolved.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('offers Acknowledge and Resolve on an open incident, only Resolve once acknowledged', () => {
    const ids = (c: SlackMessage) =>
      c.blocks.flatMap((b) =>
        b.type === 'actions' && b.block_id === BlockId.lifecycle ? b.elements.map((e) => e.action_id) : [],
      );
    expect(ids(card)).toEqual([ActionId.acknowledge, ActionId.resolve]);
    const acked = buildIncidentCard(
      makeInput({
        incident: makeIncident({ status: 'acknowledged' }),
        decisions: [
          {
            status: 'acknowledged',
            actor: 'U0ONCALL',
            reason: 'acknowledged from the card',
            at: '2025-03-14T09:33:00.000Z',
          },
        ],
      }),
    );
    expect(ids(acked)).toEqual([ActionId.resolve]);
    expect(JSON.stringify(acked.blocks)).toContain('Acknowledged by <@U0ONCALL> at 09:33 UTC');
  });

  it('says when an incident follows a resolved one and when it overlapped maintenance', () => {
    const c = buildIncidentCard(
      makeInput({
        incident: makeIncident({
          previous_incident_id: 'inc-older',
          notes: ['Overlaps maintenance of postgres (failover drill, 01:00–01:30 UTC).'],
        }),
      }),
    );
    const notes = c.blocks.find((b) => b.block_id === BlockId.notes);
    expect(JSON.stringify(notes)).toContain('Follows inc-older (resolved)');
    expect(JSON.stringify(notes)).toContain('Overlaps maintenance of postgres');
  });

  it('says Resolved in the header, status, times and fallback text of a resolved incident', () => {
    const resolved = buildIncidentCard(
      makeInput({
        incident: makeIncident({ status: 'resolved', resolved_at: '2025-03-14T10:02:00.000Z' }),
      }),
    );
    expect(headerText(resolved)).toBe('Resolved: HIGH · payments, postgres, checkout');
    expect(resolved.text).toMatch(/^\[HIGH\] Resolved: /);
    const fields = fieldTexts(resolved);
    expect(fields).toContain('*Status*\n:white_check_mark: Resolved');
    expect(fields).toContain('*Resolved*\n2025-03-14 10:02 UTC');
    expect(fields.some((f) => f.startsWith('*Last anomaly*'))).toBe(false);
    expect(headerText(card)).not.toContain('Resolved');
    expect(checkBlockKitLimits(resolved)).toEqual([]);
  });

  it('escapes mrkdwn control characters from label values but keeps the plain-text header raw', () => {
    const odd = buildIncidentCard(
      makeInput({
        incident: makeIncident({
          services: ['api<v2>', 'a&b'],
          team: 'r&d',
          hypothesis: { probable_starting_service: 'a&b', reason: 'x < y', confidence: 0.5 },
        }),
        evidence: [makeAnomaly({ service: 'api<v2>' })],
      }),
    );
    expect(headerText(odd)).toBe('HIGH · api<v2>, a&b');
    expect(fieldTexts(odd)).toContain('*Services (2)*\napi&lt;v2&gt;, a&amp;b');
    expect(fieldTexts(odd)).toContain('*Team*\nr&amp;d');
    expect(fieldTexts(odd)).toContain('*Namespace*\nshop');
    expect(sectionText(odd, BlockId.hypothesis)).toContain('Probable starting service: a&amp;b');
    expect(sectionText(odd, BlockId.hypothesis)).toContain('x &lt; y');
    expect(sectionText(odd, BlockId.evidence)).toContain('*api&lt;v2&gt;*');
    expect(sectionText(odd, BlockId.evidence)).not.toContain('<v2>');
  });

  it('stays within Block Kit limits for a huge incident (40 services, 30 series, 20 runbooks, 200-char names)', () => {
    const longName = (i: number) => `${'s'.repeat(196)}-${String(i).padStart(3, '0')}`;
    const services = Array.from({ length: 40 }, (_, i) => longName(i));
    expect(services.every((s) => s.length === 200)).toBe(true);
    const evidence = Array.from({ length: 30 }, (_, i) =>
      makeAnomaly({
        service: longName(i),
        metric_name: `metric_${'m'.repeat(100)}_${i}`,
        evidence: { recent_values: Array.from({ length: 60 }, (_, j) => Math.sin(j + i)) },
      }),
    );
    const runbooks = Array.from({ length: 20 }, (_, i) => ({
      service: longName(i),
      title: `Runbook ${i} ${'t'.repeat(50)}`,
      url: `https://runbooks.example.com/${'p'.repeat(200)}/${i}`,
    }));
    const big = buildIncidentCard({
      incident: makeIncident({
        services,
        severity: 'critical',
        hypothesis: { probable_starting_service: longName(0), reason: 'r'.repeat(5000), confidence: 0.999 },
      }),
      evidence,
      anomalyCount: 300,
      runbooks,
      units: UNITS,
    });

    expect(checkBlockKitLimits(big)).toEqual([]);
    expect(big.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(big.blocks).length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
    const header = headerText(big);
    expect(header.length).toBeLessThanOrEqual(150);
    expect(header.endsWith('…')).toBe(true);
    expect(header.startsWith('CRITICAL · ')).toBe(true);

    const actions = blockById(big, BlockId.runbooks);
    if (actions.type !== 'actions') throw new Error('not actions');
    expect(actions.elements).toHaveLength(5);
    for (const button of actions.elements) {
      if (button.type !== 'button') throw new Error('a runbook is not a button');
      expect(button.text.text.length).toBeLessThanOrEqual(75);
    }

    for (const field of fieldTexts(big)) expect(field.length).toBeLessThanOrEqual(2000);
    expect(sectionText(big, BlockId.hypothesis).length).toBeLessThanOrEqual(3000);
    const evidenceText = sectionText(big, BlockId.evidence);
    expect(evidenceText.length).toBeLessThanOrEqual(3000);
    expect(evidenceText).toContain('*Evidence* (300 anomalies in 30 series)');
    expect(sectionText(big, BlockId.hypothesis)).toContain('(confidence 100%)');
    expect(big.text.length).toBeLessThanOrEqual(3000);
  });

  it('says how many series are left for the thread when there are more than fit', () => {
    const evidence = Array.from({ length: 11 }, (_, i) => makeAnomaly({ service: `svc-${i}` }));
    const many = buildIncidentCard(makeInput({ evidence, anomalyCount: 11 }));
    const text = sectionText(many, BlockId.evidence);
    expect(text).toContain('…and 3 more series in the thread');
    expect(text).toContain('*svc-7*');
    expect(text).not.toContain('*svc-8*');
  });
});

describe('checkBlockKitLimits', () => {
  it('reports a header longer than 150 characters', () => {
    const message: SlackMessage = {
      text: 'fallback',
      blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(200) } }],
    };
    const problems = checkBlockKitLimits(message);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^blocks\.0\.text\.text: /);
  });

  it('reports more than 50 blocks', () => {
    const message: SlackMessage = {
      text: 'fallback',
      blocks: Array.from({ length: 51 }, (): Block => ({ type: 'divider' })),
    };
    const problems = checkBlockKitLimits(message);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^blocks: /);
    expect(checkBlockKitLimits({ text: 'fallback', blocks: message.blocks.slice(0, 50) })).toEqual([]);
  });

  it('reports duplicate action ids, empty text and messages too long overall', () => {
    const button = {
      type: 'button' as const,
      text: { type: 'plain_text' as const, text: 'Open' },
      action_id: 'same',
    };
    expect(checkBlockKitLimits({ text: 'x', blocks: [{ type: 'actions', elements: [button, button] }] })).toEqual([
      'blocks.0.elements: action_id must be unique in a block',
    ]);
    expect(checkBlockKitLimits({ text: '', blocks: [] })).toHaveLength(1);
    const long: SlackMessage = {
      text: 'x',
      blocks: Array.from(
        { length: 5 },
        (): Block => ({
          type: 'section',
          text: { type: 'mrkdwn', text: 'y'.repeat(2900) },
        }),
      ),
    };
    expect(checkBlockKitLimits(long)).toEqual(['(message): blocks too long (msg_blocks_too_long)']);
  });
});

describe('escapeMrkdwn', () => {
  it('escapes &, < and >', () => {
    expect(escapeMrkdwn('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(escapeMrkdwn('<!channel>')).toBe('&lt;!channel&gt;');
    expect(escapeMrkdwn('&lt;')).toBe('&amp;lt;');
    expect(escapeMrkdwn('plain_text-1.2')).toBe('plain_text-1.2');
  });
});

describe('formatValue', () => {
  it.each<[number, Unit, string]>([
    [0.41, 'seconds', '410 ms'],
    [1.86, 'seconds', '1.86 s'],
    [0.0012, 'seconds', '1.2 ms'],
    [1, 'seconds', '1 s'],
    [0.023, 'ratio', '2.3%'],
    [1, 'ratio', '100%'],
    [12.345, 'percent', '12.3%'],
    [183.4, 'per_second', '183/s'],
    [1234.5, 'per_second', '1,235/s'],
    [0.5, 'per_second', '0.5/s'],
    [1536, 'bytes', '1.5 KiB'],
    [512, 'bytes', '512 B'],
    [3 * 1024 ** 3, 'bytes', '3 GiB'],
    [0, 'none', '0'],
    [-0.25, 'seconds', '-250 ms'],
    [42.4242, 'none', '42.4'],
    [-98765.4, 'none', '-98,765'],
    [1_000, 'none', '1,000'],
    [999_999_999, 'per_second', '999,999,999/s'],
  ])('formatValue(%d, %s) is %s', (value, unit, expected) => {
    expect(formatValue(value, unit)).toBe(expected);
  });

  it('groups thousands as en-US does, without ICU', () => {
    for (const n of [1000, 9999, 10_000, 123_456, 1_000_000, -1000, -123_456_789, 2 ** 53, 999_999_999_999_999_900_000])
      expect(withThousands(n)).toBe(n.toLocaleString('en-US'));
    expect(withThousands(999)).toBe('999');
    expect(withThousands(-5)).toBe('-5');
  });
});

describe('sparkline', () => {
  it('draws a flat series without throwing, one character per value', () => {
    const line = sparkline([5, 5, 5, 5, 5]);
    expect([...line]).toHaveLength(5);
    expect(new Set(line).size).toBe(1);
  });

  it('maps the minimum to the lowest bar and the maximum to the highest', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([10, 0])).toBe('█▁');
  });

  it('is empty for no values', () => {
    expect(sparkline([])).toBe('');
  });
});

describe('renderCardText', () => {
  const card = buildIncidentCard(makeInput());
  const text = renderCardText(card);

  it('contains the header and the evidence lines without mrkdwn markup', () => {
    expect(text).toContain('│ HIGH · PAYMENTS, POSTGRES, CHECKOUT');
    expect(text).toContain('payments latency_p99 ↑ 1.86 s: +1.41 s above the expected 120 ms – 450 ms');
    expect(text).toContain('checkout request_rate ↓ 12/s: −138/s below the expected 150/s – 260/s');
    expect(text).toContain('Evidence (5 anomalies in 3 series)');
    expect(text).not.toContain('*');
    expect(text).not.toContain('`');
  });

  it('shows summary fields as "name: value", emoji as characters, and the runbook links', () => {
    expect(text).toContain('Severity: 🟠 HIGH');
    expect(text).toContain('Status: 🚨 Open');
    expect(text).toContain('🔍 Probable starting service: postgres (confidence 72%)');
    expect(text).toContain('A hypothesis from timing and topology, not a confirmed root cause.');
    expect(text).toContain('[ 📖 postgres: Postgres saturation ] https://runbooks.example.com/postgres/saturation');
    expect(text).toContain('React 👍 useful or 👎 noisy');
    expect(text.split('\n')[0]).toBe(`┌${'─'.repeat(100)}`);
    expect(text.split('\n').at(-1)).toBe(`└${'─'.repeat(100)}`);
  });

  it('unescapes entities for the terminal', () => {
    expect(mrkdwnToPlain('*api&lt;v2&gt;* &amp; `x`')).toBe('api<v2> & x');
  });
});

describe('remediation on the card', () => {
  const offer = (target: string, what: string): RemediationOffer => ({
    actionId: 'restart',
    title: 'Restart',
    target,
    risk: 'high',
    what,
    dryRun: false,
    value: JSON.stringify({ incident: 'INC-1', action: 'restart', target }),
  });

  it('puts each offer behind a confirm dialog within Slack limits, the code fence intact however long the command', () => {
    const long = `PATCH /apis/apps/v1/namespaces/shop/deployments/payment-api\n${'{"spec":1}'.repeat(60)}`;
    const card = buildIncidentCard(
      makeInput({
        remediation: { offers: [offer('payment-api', long), offer('checkout-api', 'PATCH x')], lines: ['one'] },
      }),
    );
    expect(checkBlockKitLimits(card)).toEqual([]);
    const block = blockById(card, BlockId.remediation);
    if (block.type !== 'actions') throw new Error('remediation is not an actions block');
    expect(block.elements.map((e) => e.action_id)).toEqual([ActionId.remediate(0), ActionId.remediate(1)]);
    const first = block.elements[0];
    if (first?.type !== 'button') throw new Error('an offer is not a button');
    expect(first.style).toBe('danger');
    const text = first.confirm?.text.text ?? '';
    expect(text.length).toBeLessThanOrEqual(300);
    expect(text).toMatch(/```PATCH \/apis\/apps\/v1\/namespaces\/shop\/deployments\/payment-api\n.*…```$/s);
    expect(JSON.stringify(blockById(card, BlockId.remediationState))).toContain('one');
  });

  it('has no remediation blocks without offers or requests', () => {
    const card = buildIncidentCard(makeInput({ remediation: { offers: [], lines: [] } }));
    expect(card).toEqual(buildIncidentCard(makeInput()));
  });
});

describe('feedback on the card', () => {
  const emoji = { useful_emoji: ['+1', 'thumbsup'], noisy_emoji: ['-1', 'thumbsdown'] };
  const withFeedback = (counts: Partial<Record<FeedbackLabel, number>>) =>
    buildIncidentCard(makeInput({ feedback: { counts, emoji } }));

  it('offers the six labels in a menu whose options point at the incident, within Block Kit limits', () => {
    const card = withFeedback({});
    expect(checkBlockKitLimits(card)).toEqual([]);
    const block = blockById(card, BlockId.feedback);
    if (block.type !== 'actions') throw new Error('feedback is not an actions block');
    const menu = block.elements[0];
    if (menu?.type !== 'static_select') throw new Error('no label menu');
    expect(menu.action_id).toBe(ActionId.label);
    expect(menu.options.map((o) => JSON.parse(o.value))).toEqual(
      ['useful', 'noisy', 'late', 'duplicate', 'wrong_start', 'expected'].map((label) => ({
        incident: 'inc_20250314_0926_payments',
        label,
      })),
    );
    expect(menu.options.map((o) => o.text.text)).toContain('🧭 Wrong starting service');
    // No labels yet: no counts line.
    expect(card.blocks.some((b) => b.block_id === BlockId.feedbackCounts)).toBe(false);
  });

  it('shows the counts of the labels given, in label order, and keeps the menu on a resolved incident', () => {
    const card = buildIncidentCard(
      makeInput({
        incident: makeIncident({ status: 'resolved', resolved_at: '2025-03-14T10:02:00.000Z' }),
        feedback: { counts: { noisy: 1, useful: 2, wrong_start: 1 }, emoji },
      }),
    );
    expect(card.blocks.map((b) => b.block_id ?? b.type).slice(-3)).toEqual([
      BlockId.feedback,
      BlockId.feedbackCounts,
      BlockId.footer,
    ]);
    expect(JSON.stringify(blockById(card, BlockId.feedbackCounts))).toContain(
      'Feedback: 2 useful · 1 noisy · 1 wrong start',
    );
    expect(checkBlockKitLimits(card)).toEqual([]);
  });

  it('invites the configured reactions in the footer', () => {
    const custom = buildIncidentCard(
      makeInput({ feedback: { counts: {}, emoji: { useful_emoji: ['white_check_mark'], noisy_emoji: ['x'] } } }),
    );
    expect(JSON.stringify(blockById(custom, BlockId.footer))).toContain(
      'React :white_check_mark: useful or :x: noisy, or pick a label, to teach Vigil',
    );
    const menuOnly = buildIncidentCard(
      makeInput({ feedback: { counts: {}, emoji: { useful_emoji: [], noisy_emoji: [] } } }),
    );
    expect(JSON.stringify(blockById(menuOnly, BlockId.footer))).toContain('Pick a label to teach Vigil');
  });

  it('leaves the menu out rather than break the card when an incident id is too long for an option', () => {
    const card = buildIncidentCard(
      makeInput({
        incident: makeIncident({ id: `inc-${'x'.repeat(140)}` }),
        feedback: { counts: { useful: 1 }, emoji },
      }),
    );
    expect(checkBlockKitLimits(card)).toEqual([]);
    expect(card.blocks.some((b) => b.block_id === BlockId.feedback)).toBe(false);
    expect(JSON.stringify(blockById(card, BlockId.feedbackCounts))).toContain('Feedback: 1 useful');
    expect(JSON.stringify(blockById(card, BlockId.footer))).toContain('React :+1: useful or :-1: noisy to teach Vigil');
  });

  it('renders the menu and the counts for the terminal', () => {
    const text = renderCardText(withFeedback({ useful: 3 }));
    expect(text).toContain('[ Label this incident ▾ ] 👍 Useful: worth the page | 👎 Noisy: not worth a page');
    expect(text).toContain('Feedback: 3 useful');
    expect(text).toContain('React 👍 useful or 👎 noisy, or pick a label');
  });

  it('matches the snapshot with labels', () => {
    expect(withFeedback({ useful: 2, noisy: 1 })).toMatchSnapshot();
  });
});
