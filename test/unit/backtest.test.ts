/**
 * The pure parts of the backtest: argument validation (shared by /vigil backtest and the CLI), the
 * history window the production cycle reads from, matching would-be pages with stored incidents,
 * the report's wording, the one-at-a-time job registry and the Slack messages' Block Kit limits.
 * The run itself is tested on a real Prometheus in test/integration/backtest.test.ts.
 */

import { describe, expect, it } from 'vitest';
import { type BacktestPage, compareWithStored, type StoredIncident } from '../../src/backtest/compare-with-stored.js';
import { createBacktestJobs } from '../../src/backtest/create-backtest-jobs.js';
import { createHistoryWindow } from '../../src/backtest/create-history-window.js';
import { backtestSummary, formatBacktestReport, PAGES_LISTED } from '../../src/backtest/format-backtest-report.js';
import { parseBacktestArgs } from '../../src/backtest/parse-backtest-args.js';
import type { BacktestReport } from '../../src/backtest/run-backtest.js';
import { SignalConfigSchema } from '../../src/config/config-schema.js';
import { verdictOfCounts } from '../../src/feedback/verdict.js';
import { checkBlockKitLimits } from '../../src/slack/blocks/block-kit-limits.js';
import {
  buildBacktestCancelledMessage,
  buildBacktestFailedMessage,
  buildBacktestProgressMessage,
  buildBacktestReportMessage,
} from '../../src/slack/blocks/build-backtest-message.js';
import type { SeriesColumns } from '../../src/sources/series-columns.js';

const MIN = 60_000;

describe('parseBacktestArgs', () => {
  it.each([
    [['checkout-api'], { target: 'checkout-api', days: 7 }],
    [['latency_p99', '--days', '3'], { target: 'latency_p99', days: 3 }],
    [['--days=0.5', 'payment-api'], { target: 'payment-api', days: 0.5 }],
    [['payment-api', '--days', '35'], { target: 'payment-api', days: 35 }],
  ])('%j → %j', (words, args) => {
    expect(parseBacktestArgs(words)).toEqual({ ok: true, args });
  });

  it.each([
    [[], '`backtest` needs a signal or a service'],
    [['a', 'b'], '`backtest` takes one signal or service, got 2'],
    [['a', '--days'], '`--days` needs a number of days'],
    [['a', '--days', '36'], '--days is at most 35 (the history recalibration may read)'],
    [['a', '--days', '-1'], '--days takes a number of days above 0, up to 35'],
    [['a', '--days', 'x'], '--days takes a number of days, up to 35'],
    [['a', '--days', '0'], '--days takes a number of days above 0, up to 35'],
    [['a', '--days', '2', '--days', '3'], '`--days` is given twice'],
    [['a', '--since', '2d'], '`backtest` has no option `--since`'],
    [['a<b>'], 'a signal or service name is letters, digits and _ . : -'],
  ])('%j is refused: %s', (words, problem) => {
    expect(parseBacktestArgs(words)).toEqual({ ok: false, problem });
  });
});

function series(key: string, service: string, from: number, to: number): SeriesColumns {
  const timestamps: number[] = [];
  for (let t = from; t <= to; t += MIN) timestamps.push(t);
  return {
    key,
    identity: { service, namespace: 'shop', metric_name: 'latency', labels: {} },
    timestamps: Float64Array.from(timestamps),
    values: Float64Array.from(timestamps, (t) => t / MIN),
  };
}

describe('createHistoryWindow', () => {
  const signal = SignalConfigSchema.parse({ name: 'latency', query: 'x' });

  it('serves a range across chunks as one entry per series, in time order, and forgets chunks read past', async () => {
    const window = createHistoryWindow();
    const chunk = (startMs: number, endMs: number, rejected = 0) => ({
      startMs,
      endMs,
      bySignal: new Map([
        ['latency', { series: [series('a', 'api', startMs, endMs), series('b', 'db', startMs, endMs)], rejected }],
      ]),
    });
    window.add(chunk(0, 9 * MIN, 2));
    window.add(chunk(10 * MIN, 19 * MIN, 3));
    const batch = await window.source.fetch(signal, { startMs: 5 * MIN, endMs: 14 * MIN, stepSeconds: 60 });
    expect(batch.series.map((s) => s.key)).toEqual(['a', 'b']);
    expect(Array.from(batch.series[0]?.values ?? [])).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    // The second chunk starts in the range: its rejected points are counted; the first one's were
    // counted by the range that started with it.
    expect(batch.rejected).toBe(3);
    expect((await window.source.fetch(signal, { startMs: 0, endMs: 3 * MIN, stepSeconds: 60 })).rejected).toBe(2);
    // Another signal has nothing here.
    const other = SignalConfigSchema.parse({ name: 'errors', query: 'y' });
    expect((await window.source.fetch(other, { startMs: 0, endMs: 19 * MIN, stepSeconds: 60 })).series).toEqual([]);

    window.dropThrough(9 * MIN);
    expect(window.size()).toBe(1);
    const after = await window.source.fetch(signal, { startMs: 0, endMs: 19 * MIN, stepSeconds: 60 });
    expect(Array.from(after.series[0]?.timestamps ?? []).map((t) => t / MIN)).toEqual([
      10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
    ]);
  });
});

const page = (id: string, openedMin: number, services: string[], resolvedMin: number | null = null): BacktestPage => ({
  id,
  openedMs: openedMin * MIN,
  resolvedMs: resolvedMin === null ? null : resolvedMin * MIN,
  services,
  probableStart: services[0] as string,
  severity: 'high',
});
const stored = (
  id: string,
  openedMin: number,
  services: string[],
  label: StoredIncident['label'],
  resolvedMin: number | null = null,
): StoredIncident => ({
  id,
  openedMs: openedMin * MIN,
  resolvedMs: resolvedMin === null ? null : resolvedMin * MIN,
  services,
  label,
});

describe('compareWithStored', () => {
  const options = { toleranceMs: 10 * MIN, endMs: 1000 * MIN };

  it('pairs a page with the stored incident that shares a service and overlaps it, the nearest first', () => {
    const result = compareWithStored(
      [
        page('p1', 100, ['payments', 'checkout'], 140),
        page('p2', 300, ['catalog'], 320),
        // Opens 5 minutes after the stored one resolved: within the correlation window, the same story.
        page('p3', 505, ['search'], 520),
      ],
      [
        stored('s-far', 60, ['checkout'], 'noisy', 95),
        stored('s-near', 102, ['payments'], 'useful', 150),
        stored('s-other-service', 300, ['payments'], 'useful', 330),
        stored('s-before', 480, ['search'], null, 500),
        stored('s-missed', 700, ['payments'], 'noisy', 720),
      ],
      options,
    );
    expect(result.pages.map((m) => [m.page.id, m.stored?.id ?? null])).toEqual([
      ['p1', 's-near'],
      ['p2', null],
      ['p3', 's-before'],
    ]);
    expect(result.missed.map((s) => s.id)).toEqual(['s-far', 's-other-service', 's-missed']);
  });

  it('an incident still open lasts to the end of the period', () => {
    const result = compareWithStored([page('p', 900, ['api'])], [stored('s', 100, ['api'], 'useful')], options);
    expect(result.pages[0]?.stored?.id).toBe('s');
  });

  it('dominantLabel: most votes, ties in FeedbackLabel order, none without labels', () => {
    expect(verdictOfCounts({ noisy: 2, useful: 1 })).toBe('noisy');
    expect(verdictOfCounts({ noisy: 1, useful: 1 })).toBe('useful');
    expect(verdictOfCounts({ expected: 1 })).toBe('expected');
    expect(verdictOfCounts({})).toBeNull();
  });
});

function report(pages: number, compared = true): BacktestReport {
  const all = Array.from({ length: pages }, (_, i) =>
    page(`p${i}`, 10 * i, ['checkout-api', 'payment-api'], 10 * i + 5),
  );
  const storedList = [
    stored('s-useful', 0, ['payment-api'], 'useful', 4),
    stored('s-useful2', 10, ['payment-api'], 'useful', 14),
    stored('s-noisy', 20, ['checkout-api'], 'noisy', 24),
    stored('s-unlabelled', 30, ['checkout-api'], null, 34),
    stored('s-missed', 5000, ['payment-api'], 'noisy', 5005),
  ];
  return {
    target: 'checkout-api',
    scope: { kind: 'service', service: 'checkout-api' },
    days: 7,
    fromIso: '2026-11-24T00:00:00.000Z',
    toIso: '2026-12-01T00:00:00.000Z',
    series: 4,
    cycles: 10_081,
    anomalies: 120,
    recorded: 3,
    comparison: compareWithStored(all, compared ? storedList : [], { toleranceMs: 0, endMs: 6000 * MIN }),
    stored: { compared, count: compared ? storedList.length : 0, truncated: false },
  };
}

describe('the backtest report', () => {
  it('says how many would page, how many match stored incidents and how they were labelled', () => {
    expect(backtestSummary(report(6))).toBe(
      '6 would page; 4 match a stored incident (2 labelled useful, 1 noisy, 1 unlabelled); 2 new; ' +
        '1 stored incident not reproduced (1 labelled noisy)',
    );
    expect(backtestSummary(report(2, false))).toBe('2 would page (no stored incidents to compare with)');
  });

  it('lists the first pages with their time, services and verdict, and counts the rest', () => {
    const lines = formatBacktestReport(report(PAGES_LISTED + 3));
    expect(lines[0]).toBe(
      'Backtest of checkout-api (service) over 7 days, 2026-11-24 00:00 → 2026-12-01 00:00 UTC: ' +
        '4 series, 10081 cycles, 120 anomalies, 3 recorded without paging.',
    );
    expect(lines).toContain(
      '• 1970-01-01 00:00 UTC high checkout-api, payment-api (probably checkout-api): matches s-useful (useful)',
    );
    expect(lines).toContain('• 1970-01-01 00:40 UTC high checkout-api, payment-api (probably checkout-api): new');
    expect(lines).toContain('…and 3 more');
    expect(lines.filter((l) => l.startsWith('• 1970-01-01 0'))).toHaveLength(PAGES_LISTED);
    expect(lines.slice(-2)).toEqual(['Stored, not reproduced:', '• 1970-01-04 11:20 UTC s-missed payment-api (noisy)']);
  });

  it('every Slack message of a backtest is within Block Kit limits; only the running one has Cancel', () => {
    const args = { target: 'checkout-api', days: 7 };
    const progress = buildBacktestProgressMessage('bt-1', args, 0.4, 'U0ONCALL');
    expect(progress.text).toBe(':hourglass_flowing_sand: backtest of checkout-api over 7 days: 40 %');
    expect(JSON.stringify(progress.blocks)).toContain('"value":"bt-1"');
    const messages = [
      progress,
      buildBacktestReportMessage(report(200), 'U0ONCALL'),
      buildBacktestCancelledMessage(args, 0.4, 'U0ONCALL'),
      buildBacktestFailedMessage(args, 0.999, 'x'.repeat(5000)),
    ];
    for (const m of messages) expect(checkBlockKitLimits(m)).toEqual([]);
    expect(messages[2]?.text).toBe(
      ':no_entry_sign: backtest of checkout-api over 7 days cancelled at 40 % by <@U0ONCALL>',
    );
    expect(messages[3]?.text).toMatch(/^:x: backtest of checkout-api over 7 days failed at 99 %: x+…$/);
    for (const m of messages.slice(1)) expect(JSON.stringify(m.blocks)).not.toContain('vigil_backtest_cancel');
  });
});

describe('createBacktestJobs', () => {
  it('runs one at a time; a cancel must name the running job; finishing frees the slot', () => {
    let n = 0;
    const jobs = createBacktestJobs(() => `bt-${++n}`);
    const first = jobs.begin({ target: 'a', days: 1 }, 'U1');
    expect(first.ok).toBe(true);
    const second = jobs.begin({ target: 'b', days: 1 }, 'U2');
    expect(second).toMatchObject({ ok: false, running: { id: 'bt-1', startedBy: 'U1' } });
    expect(jobs.cancel('bt-9', 'U2')).toEqual({ ok: false, message: 'That backtest is no longer running.' });
    const job = jobs.current();
    expect(job?.controller.signal.aborted).toBe(false);
    expect(jobs.cancel('bt-1', 'U2')).toMatchObject({ ok: true });
    expect(job?.controller.signal.aborted).toBe(true);
    expect(job?.cancelledBy).toBe('U2');
    // A second click keeps who cancelled first.
    jobs.cancel('bt-1', 'U3');
    expect(job?.cancelledBy).toBe('U2');
    jobs.finish('bt-1');
    expect(jobs.current()).toBeUndefined();
    expect(jobs.cancel('bt-1', 'U2').ok).toBe(false);
    expect(jobs.begin({ target: 'b', days: 1 }, 'U2')).toMatchObject({ ok: true, job: { id: 'bt-2' } });
  });
});
