/**
 * The tick at scale, end to end: npm run bench:tick -- [--series N] [--steady K] [--keep]
 * Backfills a real Prometheus (promtool) with N series of a synthetic installation (namespaces,
 * services calling each other, pods; a week at 5 minutes plus the recent hours at 1 minute; a fault
 * in one service followed by its callers), starts Vigil through its public composition (startVigil,
 * HTTP mode, the real Bolt receiver) in this process, and measures its first, catch-up and steady
 * cycles and its recalibration: wall time next to the same Prometheus queries sent by a plain
 * client, peak RSS, the longest event-loop block, and the ack latency of signed slash commands
 * next to a bare signature-checking server's, all in the same run. Then prints issue 12's targets
 * as PASS/MISS. Everything listens on 127.0.0.1, lives under os.tmpdir() and is removed at the end.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { max } from 'simple-statistics';
import { ConfigSchema } from '../src/config/config-schema.js';
import { parseEnv } from '../src/config/load-config.js';
import type { RecalibrationReport } from '../src/detection/recalibrate.js';
import { createLogger } from '../src/logger.js';
import { type RunningVigil, startVigil } from '../src/main.js';
import type { CycleOutcome } from '../src/pipeline/create-detection-cycle.js';
// Not toLocaleString: the bench's own numbers would load ICU's number data into the bot's process.
import { withThousands } from '../src/slack/blocks/format-value.js';
import type { LocalDaemon } from '../test/helpers/local-daemon.js';
import { createBlocks, startPrometheus } from './tick/backfill-prometheus.js';
import { buildFleet, SIGNALS } from './tick/build-fleet.js';
import { type PhaseCost, probePhase } from './tick/probe-phase.js';
import { type ThreadPhase, threadProbe } from './tick/record-fetch-in-thread.js';
import type { LatencyStats, RecordedRequest, ReplayResult } from './tick/slack-side-protocol.js';
import { type SlackSide, startSlackSide } from './tick/start-slack-side.js';
import { type Timeline, writeHistory } from './tick/write-history.js';

const USAGE =
  'npm run bench:tick -- [--series N] [--steady K] [--history-days D] [--timeout-min M] [--keep] [--reuse DIR]';
const { values } = parseArgs({
  options: {
    series: { type: 'string', default: '1000' },
    steady: { type: 'string', default: '5' },
    /** Days of 5-minute history (recalibration reads them all); default 7, 1 from 50 000 series. */
    'history-days': { type: 'string' },
    /** Backfill and every phase are abandoned after this many minutes. */
    'timeout-min': { type: 'string', default: '15' },
    /** One signed slash command to Vigil and one to the bare server every this many ms. */
    'ack-interval-ms': { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
    /**
     * A folder kept by an earlier run (--keep) with the same --series and --history-days: its
     * Prometheus data is served again (no history written, no backfill, minutes saved when comparing
     * two commits), Vigil starts on a new database. The folder is kept.
     */
    reuse: { type: 'string' },
  },
});
const SERIES = Number(values.series);
const STEADY = Number(values.steady);
const TIMEOUT_MS = Number(values['timeout-min']) * 60_000;
const ACK_INTERVAL_MS = Number(values['ack-interval-ms']);
const HISTORY_DAYS = Number(values['history-days'] ?? (SERIES >= 50_000 ? 1 : 7));
if (
  !(Number.isInteger(SERIES) && SERIES > 0) ||
  !(Number.isInteger(STEADY) && STEADY >= 1 && STEADY <= 30) ||
  !(Number.isInteger(HISTORY_DAYS) && HISTORY_DAYS >= 1 && HISTORY_DAYS <= 35) ||
  !(TIMEOUT_MS > 0) ||
  !(ACK_INTERVAL_MS >= 1)
) {
  process.stderr.write(`bench:tick: ${USAGE}\n  --series ≥ 1, --steady 1-30, --history-days 1-35\n`);
  process.exit(2);
}

const MINUTE = 60;
const MB = 1024 * 1024;
const SIGNING_SECRET = 'bench-tick-signing-secret';
/** Recent history at the tick's step: the first cycle's warm-up (125 min) + catch-up + steady cycles. */
const RECENT_MINUTES = 180;
const CATCH_UP_MINUTES = 15;

// ---- the installation and its history -------------------------------------------------------
const fleet = buildFleet(SERIES);
const N = fleet.seriesTotal;
/** What a kept folder's history was written for, so that --reuse serves the same installation. */
interface KeptHistory {
  series: number;
  historyDays: number;
  end: number;
}
const reused: KeptHistory | undefined = values.reuse
  ? (JSON.parse(readFileSync(join(values.reuse, 'history.json'), 'utf8')) as KeptHistory)
  : undefined;
if (reused && (reused.series !== N || reused.historyDays !== HISTORY_DAYS)) {
  process.stderr.write(
    `bench:tick: ${values.reuse} holds ${reused.series} series and ${reused.historyDays} days, not ${N} and ${HISTORY_DAYS}\n`,
  );
  process.exit(2);
}
// An hour in the past, on the hour: every sample is history Prometheus serves with query_range.
const end = reused?.end ?? Math.floor(Date.now() / 3_600_000) * 3600 - 3600;
const recentStart = end - RECENT_MINUTES * MINUTE;
// The first cycle fetches window_points (120) + fresh_seconds (5 min) of 1-minute points: all recent.
const firstAt = recentStart + 130 * MINUTE;
const catchUpAt = firstAt + CATCH_UP_MINUTES * MINUTE;
const timeline: Timeline = {
  historyStart: end - HISTORY_DAYS * 86_400,
  coarseStep: 300,
  recentStart,
  fineStep: 60,
  end,
  // Inside the catch-up cycle's range: the catch-up finds it, steady cycles keep seeing it.
  faultAt: firstAt + 5 * MINUTE,
  callerLagSeconds: 2 * MINUTE,
};

const dir = values.reuse ?? mkdtempSync(join(tmpdir(), 'vigil-bench-tick-'));
const keep = values.keep || values.reuse !== undefined;
let prometheus: LocalDaemon | undefined;
let slackSide: SlackSide | undefined;
let vigil: RunningVigil | undefined;
let cleaning: Promise<void> | undefined;

/** Stops whatever was started, removes the temp folder (unless --keep). Safe to call twice. */
function cleanUp(stopVigil: boolean): Promise<void> {
  cleaning ??= (async () => {
    // vigil.stop() waits for a running cycle to finish: not after a timeout, the process just exits.
    if (stopVigil) await vigil?.stop().catch(() => undefined);
    await slackSide?.close().catch(() => undefined);
    await prometheus?.stop().catch(() => undefined);
    if (keep) process.stdout.write(`kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench:tick: ${signal}, cleaning up\n`);
    void cleanUp(false).finally(() => process.exit(130));
  });
}

/**
 * A timer, so it fires only when Vigil's event loop yields: a phase that blocks the loop for longer
 * than the limit is abandoned at its next await (or finishes first), not in the middle of the block.
 */
class PhaseTimeout extends Error {}
async function bounded<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new PhaseTimeout(`${what} did not finish within ${values['timeout-min']} min`)),
      TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const slowestText = (s: LatencyStats) => s.slowest.map((a) => `${a.ms.toFixed(1)}@${a.sentAtMs.toFixed(0)}`).join(' ');
const out = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// ---- measuring a phase ----------------------------------------------------------------------
interface RunMeasurement<T> extends PhaseCost {
  wallMs: number;
  /** The detection thread's own longest block and heap. */
  thread: ThreadPhase;
  result: T;
  requests: RecordedRequest[];
  plain?: ReplayResult;
}
interface PhaseMeasurement<T> {
  name: string;
  runs: Array<RunMeasurement<T>>;
  ack: { vigil: LatencyStats; bare: LatencyStats };
}

const thread = threadProbe();

/** How long the bot is sent slash commands, idle, before the first cycle. */
const IDLE_MS = 2000;
async function measureIdle(): Promise<{ vigil: LatencyStats; bare: LatencyStats }> {
  const side = slackSide as SlackSide;
  side.startLoad('idle', `http://127.0.0.1:${(vigil as RunningVigil).slackPort}/slack/events`);
  await new Promise((r) => setTimeout(r, IDLE_MS));
  return side.stopLoad('idle');
}

/**
 * Runs `runs` one after another under a signed slash-command load; each run's own cost is probed.
 * The plain client replays each run's queries after the load stopped, so it disturbs nothing measured.
 */
async function measurePhase<T>(name: string, runs: Array<() => Promise<T>>): Promise<PhaseMeasurement<T>> {
  const side = slackSide as SlackSide;
  const measured: Array<RunMeasurement<T>> = [];
  side.startLoad(name, `http://127.0.0.1:${(vigil as RunningVigil).slackPort}/slack/events`);
  // A moment of load before the work starts, so the first ack is not the work's first moment.
  await new Promise((r) => setTimeout(r, 200));
  for (const [i, run] of runs.entries()) {
    await thread.take();
    thread.startPhase();
    const probe = probePhase();
    const started = performance.now();
    const result = await bounded(`${name}${runs.length > 1 ? ` ${i + 1}` : ''}`, run());
    const wallMs = performance.now() - started;
    const cost = probe.stop();
    measured.push({ ...cost, thread: await thread.stopPhase(), wallMs, result, requests: await thread.take() });
  }
  await new Promise((r) => setTimeout(r, 200));
  const ack = await side.stopLoad(name);
  for (const m of measured) m.plain = await bounded(`plain replay of ${name}`, side.replay(name, m.requests));
  return { name, runs: measured, ack };
}

function cycleOf(vigilRef: RunningVigil, clockRef: { ms: number }, atSeconds: number) {
  return async (): Promise<CycleOutcome> => {
    clockRef.ms = atSeconds * 1000;
    const outcome = await vigilRef.runCycle();
    if (!outcome) throw new Error('a cycle was already running');
    return outcome;
  };
}

// ---- report ---------------------------------------------------------------------------------
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
interface Row {
  phase: string;
  wallMs: number;
  wallMaxMs: number;
  plainMs: number;
  ratio: number;
  peakRssBytes: number;
  /** Where the sampled peak's bytes were: V8 heap used/total, external, array buffers. */
  memory: string;
  longestBlockMs: number;
  threadBlockMs: number;
  threadHeap: string;
  ack: { vigil: LatencyStats; bare: LatencyStats };
  detail: string;
}
const memoryText = (m: NodeJS.MemoryUsage) =>
  `heap ${(m.heapUsed / MB).toFixed(0)}/${(m.heapTotal / MB).toFixed(0)} MB, external ${(m.external / MB).toFixed(0)} MB ` +
  `of which array buffers ${(m.arrayBuffers / MB).toFixed(0)} MB`;
function rowOf<T>(phase: PhaseMeasurement<T>, detail: (r: T) => string): Row {
  const walls = phase.runs.map((r) => r.wallMs);
  const plains = phase.runs.map((r) => r.plain?.ms ?? Number.NaN);
  return {
    phase: phase.runs.length > 1 ? `${phase.name} (median of ${phase.runs.length})` : phase.name,
    wallMs: median(walls),
    wallMaxMs: max(walls),
    plainMs: median(plains),
    ratio: median(phase.runs.map((r, i) => r.wallMs / (plains[i] as number))),
    peakRssBytes: max(phase.runs.map((r) => r.peakRssBytes)),
    memory: memoryText(phase.runs.reduce((a, b) => (b.atPeak.rss > a.atPeak.rss ? b : a)).atPeak),
    longestBlockMs: max(phase.runs.map((r) => r.longestBlockMs)),
    threadBlockMs: max(phase.runs.map((r) => r.thread.longestBlockMs)),
    threadHeap: (() => {
      const t = phase.runs.reduce((a, b) => (b.thread.heapTotalMb > a.thread.heapTotalMb ? b : a)).thread;
      return `${t.heapUsedMb.toFixed(0)}/${t.heapTotalMb.toFixed(0)} MB, array buffers ${t.arrayBuffersMb.toFixed(0)} MB`;
    })(),
    ack: phase.ack,
    detail: [...new Set(phase.runs.map((r) => detail(r.result)))].join('; '),
  };
}
const ms = (x: number) => (Number.isNaN(x) ? 'n/a' : x >= 10_000 ? `${(x / 1000).toFixed(1)}s` : `${x.toFixed(0)}ms`);
const ackText = (s: LatencyStats) => {
  const trouble = [
    ...(s.late > 0 ? [`${s.late}/${s.sent} > 3 s`] : []),
    ...(s.failed > 0
      ? [
          `${s.failed} failed: ${Object.entries(s.failures)
            .map(([why, n]) => `${n} ${why}`)
            .join(', ')}`,
        ]
      : []),
    ...(s.skipped > 0 ? [`${s.skipped} skipped`] : []),
  ];
  return `${s.p50.toFixed(1)}/${s.p99.toFixed(1)}${trouble.length > 0 ? ` (${trouble.join(', ')})` : ''}`;
};
function printTable(rows: readonly Row[]): void {
  const header = [
    'phase',
    'wall',
    'wall max',
    'plain',
    'ratio',
    'peak RSS',
    'longest block',
    'detection thread block',
    'ack p50/p99 vigil (ms)',
    'ack p50/p99 bare (ms)',
  ];
  const cells = rows.map((r) => [
    r.phase,
    ms(r.wallMs),
    ms(r.wallMaxMs),
    ms(r.plainMs),
    `${r.ratio.toFixed(2)}x`,
    `${(r.peakRssBytes / MB).toFixed(0)} MB`,
    `${r.longestBlockMs.toFixed(0)} ms`,
    `${r.threadBlockMs.toFixed(0)} ms`,
    ackText(r.ack.vigil),
    ackText(r.ack.bare),
  ]);
  const widths = header.map((h, i) => max([h.length, ...cells.map((c) => (c[i] as string).length)]));
  const line = (c: readonly string[]) => c.map((x, i) => x.padEnd(widths[i] as number)).join('  ');
  out(line(header));
  for (const c of cells) out(line(c));
  out();
  for (const r of rows) out(`${r.phase}: ${r.detail}`);
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

// ---- the run --------------------------------------------------------------------------------
async function main(): Promise<number> {
  out(`bench:tick — ${withThousands(N)} series (${fleet.pods.length} pods × ${SIGNALS.length} signals)`);
  if (N !== SERIES) out(`  (--series ${SERIES} rounded up to whole pods: ${N})`);
  out(
    `  ${fleet.namespaces.length} namespaces, ${fleet.services.length} services (binary call tree per namespace), ` +
      `fault in ${fleet.faulty} then its callers ${fleet.callers.join(' → ')}`,
  );
  out(
    `  history: ${HISTORY_DAYS} day${HISTORY_DAYS > 1 ? 's' : ''} at 5 min + ${RECENT_MINUTES / 60} h at 1 min` +
      `${HISTORY_DAYS < 7 ? ` (coarser than the default 7 days: recalibration.history_days is ${HISTORY_DAYS})` : ''}`,
  );
  out(`  node ${process.version}, temp ${dir}`);
  out();

  const dataDir = join(dir, 'data');
  if (reused && existsSync(dataDir)) {
    out(`history reused from ${dir} (written for ${new Date(end * 1000).toISOString()})`);
    for (const file of ['vigil.db', 'vigil.db-wal', 'vigil.db-shm']) rmSync(join(dir, file), { force: true });
  } else {
    const om = join(dir, 'history.om');
    let t = performance.now();
    const written = await bounded('writing the history', writeHistory(om, fleet, timeline));
    out(
      `history written: ${withThousands(written.lines)} samples, ${(written.bytes / MB).toFixed(0)} MB in ${seconds(performance.now() - t)}`,
    );
    t = performance.now();
    await createBlocks(om, dataDir, TIMEOUT_MS);
    rmSync(om);
    out(`promtool backfill: ${seconds(performance.now() - t)}`);
    const kept: KeptHistory = { series: N, historyDays: HISTORY_DAYS, end };
    writeFileSync(join(dir, 'history.json'), JSON.stringify(kept));
  }
  prometheus = await startPrometheus(dir, dataDir);
  out(`prometheus: ${prometheus.url}`);

  const teams = [...new Set(fleet.services.map((s) => s.team))];
  slackSide = await startSlackSide({
    signingSecret: SIGNING_SECRET,
    channels: ['#vigil-alerts', ...teams.map((team) => `#${team}`)],
    intervalMs: ACK_INTERVAL_MS,
    maxPerPhase: Math.ceil(TIMEOUT_MS / ACK_INTERVAL_MS),
    timeoutMs: 10_000,
  });

  const clock = { ms: firstAt * 1000 };
  const config = ConfigSchema.parse({
    // A single query at 100 000 series takes longer than the default 10 s: the maximum, so that
    // the bench measures Vigil rather than trips over a timeout an operator of that size would raise.
    prometheus: { url: prometheus.url, timeout_ms: 120_000 },
    slack: { mode: 'http', port: 0, default_channel: '#vigil-alerts' },
    http: { health_port: 0 },
    teams: Object.fromEntries(teams.map((team) => [team, { channel: `#${team}` }])),
    // Every service of the fleet: a series whose service is not configured is dropped.
    services: fleet.services.map(({ name, namespace, team, depends_on }) => ({ name, namespace, team, depends_on })),
    signals: SIGNALS.map((s) => ({
      name: s.name,
      query: `${s.metric}{namespace=~"{{namespaces}}", service=~"{{services}}"}`,
      service_label: 'service',
      namespace_label: 'namespace',
      ...s.config,
    })),
    recalibration: { history_days: HISTORY_DAYS, step_seconds: 300 },
    remediation: { enabled: false },
    log_level: 'warn',
  });
  const dbPath = join(dir, 'vigil.db');
  vigil = await startVigil({
    config,
    env: parseEnv({
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slackSide.apiUrl,
      VIGIL_DB: dbPath,
    }),
    // Warnings and errors only, on stderr: stdout is the report.
    logger: createLogger({ level: 'warn' }),
    now: () => new Date(clock.ms),
    // Vigil's detection thread (the default) records its Prometheus requests for the plain replay.
    detectionThreadPreload: [new URL('./tick/record-fetch-in-thread.js', import.meta.url).href],
    schedule: false,
    // Production's retries (2, bounded): after a long block the first call on a keep-alive socket the
    // Web API double has closed meanwhile fails once ("other side closed"), as it would against Slack.
    host: '127.0.0.1',
  });
  out(
    `vigil: Slack receiver on 127.0.0.1:${vigil.slackPort}, ack load every ${ACK_INTERVAL_MS} ms, ` +
      `RSS after start-up ${(process.memoryUsage.rss() / MB).toFixed(0)} MB (${memoryText(process.memoryUsage())})`,
  );
  out();

  const cycleDetail = (o: CycleOutcome) =>
    `status ${o.status}, series scored ${o.series_scored}${o.series_scored === N ? '' : ` (≠ ${N})`}, ` +
    `samples ${o.samples}, anomalies ${o.anomalies}, incidents opened ${o.incidents_opened}` +
    `${o.errors.length > 0 ? `, errors: ${o.errors.join(' | ')}` : ''}`;
  const v = vigil;
  // One line per phase as it ends, so a run abandoned later still shows how far it got.
  const done = <T>(phase: PhaseMeasurement<T>, detail: (r: T) => string) => {
    const r = rowOf(phase, detail);
    out(
      `[${r.phase}] wall ${ms(r.wallMs)}, plain ${ms(r.plainMs)}, peak RSS ${(r.peakRssBytes / MB).toFixed(0)} MB ` +
        `(${r.memory}; detection thread heap ${r.threadHeap}), longest block ${r.longestBlockMs.toFixed(0)} ms ` +
        `(detection thread ${r.threadBlockMs.toFixed(0)} ms), ack p99 ${r.ack.vigil.p99.toFixed(1)} vs bare ${r.ack.bare.p99.toFixed(1)} ms ` +
        `(slowest, ms sent at +ms: ${slowestText(r.ack.vigil)}; bare ${slowestText(r.ack.bare)})`,
    );
    return phase;
  };
  // The bot idle, just started: its first requests compile the receiver's code (the bare server has
  // answered others before). Measured on their own, they are the idle reference the targets speak
  // of, and the phases below measure a bot that has answered Slack before, as it has in production
  // by the time a cycle runs (before this, the first cycle's p99 was the process's first acks).
  const idle = await measureIdle();
  out(
    `[idle after start-up, ${IDLE_MS} ms] ack p99 ${idle.vigil.p99.toFixed(1)} vs bare ${idle.bare.p99.toFixed(1)} ms ` +
      `(slowest, ms sent at +ms: ${slowestText(idle.vigil)}; bare ${slowestText(idle.bare)})`,
  );
  const first = done(await measurePhase('first cycle', [cycleOf(v, clock, firstAt)]), cycleDetail);
  const catchUp = done(
    await measurePhase(`catch-up (+${CATCH_UP_MINUTES} min)`, [cycleOf(v, clock, catchUpAt)]),
    cycleDetail,
  );
  const steady = done(
    await measurePhase(
      'steady',
      Array.from({ length: STEADY }, (_, k) => cycleOf(v, clock, catchUpAt + (k + 1) * MINUTE)),
    ),
    cycleDetail,
  );
  const recalDetail = (r: RecalibrationReport) =>
    `status ${r.status}, series ${r.series}, threshold changes ${r.changes.length}, seasonal rebuilt ${r.seasonalRebuilt}` +
    `${r.error ? `, error: ${r.error}` : ''}`;
  const recalibration = done(
    await measurePhase('recalibration', [
      async (): Promise<RecalibrationReport> => {
        const report = await v.runRecalibration();
        if (!report) throw new Error('a recalibration was already running');
        return report;
      },
    ]),
    recalDetail,
  );
  out();
  const dbBytes = fileSize(dbPath) + fileSize(`${dbPath}-wal`);
  const lifetimeMaxRss = process.resourceUsage().maxRSS * 1024;

  const rows = [
    rowOf(first, cycleDetail),
    rowOf(catchUp, cycleDetail),
    rowOf(steady, cycleDetail),
    rowOf(recalibration, recalDetail),
  ];
  out('ratio = Vigil wall / plain; plain = the same query_range requests (recorded in the detection thread),');
  out("sent again with fetch, wave by wave as Vigil had them in flight, body read as text and JSON.parse'd, in a");
  out('helper process right after the phase. Ack = time to the HTTP answer of a signed `/vigil status`, every');
  out(
    `${ACK_INTERVAL_MS} ms to Vigil (this process) and to a bare signature-checking node:http server (helper process);`,
  );
  out('"> 3 s" counts acks Slack would have given up on; "failed" are errors and 10 s timeouts (counted at 10 s).');
  out();
  printTable(rows);
  out();
  out(`SQLite after the run: ${(dbBytes / MB).toFixed(1)} MB (db + wal)`);
  out(`peak RSS over the process life (getrusage maxRSS): ${(lifetimeMaxRss / MB).toFixed(0)} MB`);
  out();

  // ---- targets (issue 12) ----
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  const allRows = rows;
  const peak = max([lifetimeMaxRss, ...allRows.map((r) => r.peakRssBytes)]);
  const cycles = [...first.runs, ...catchUp.runs, ...steady.runs].map((r) => r.result);
  const recal = recalibration.runs[0]?.result as RecalibrationReport;
  const firstRow = rows[0] as Row;
  const steadyRow = rows[2] as Row;
  const recalRow = rows[3] as Row;
  if (N < 100_000) {
    out(
      `targets (issue 12, set for 10 000 series${N === 10_000 ? '' : `; shown for reference at ${withThousands(N)}`}):`,
    );
    out(`  ${verdict(firstRow.ratio <= 5)}  first cycle ≤ 5× plain: ${firstRow.ratio.toFixed(2)}×`);
    out(`  ${verdict(steadyRow.ratio <= 5)}  steady cycle ≤ 5× plain (median): ${steadyRow.ratio.toFixed(2)}×`);
    out(`  ${verdict(recalRow.wallMs <= 60_000)}  recalibration ≤ 60 s: ${seconds(recalRow.wallMs)}`);
    out(`  ${verdict(peak <= 250 * MB)}  peak RSS ≤ 250 MB incl. recalibration: ${(peak / MB).toFixed(0)} MB`);
    const block = max(allRows.map((r) => r.longestBlockMs));
    const threadBlock = max(allRows.map((r) => r.threadBlockMs));
    out(
      `  ${verdict(block <= 100)}  longest event-loop block ≤ 100 ms (the thread that acks Slack): ${block.toFixed(0)} ms` +
        ` (the detection thread's own: ${threadBlock.toFixed(0)} ms)`,
    );
    for (const r of allRows) {
      const ok = r.ack.vigil.p99 <= 2 * r.ack.bare.p99 && r.ack.vigil.failed === 0;
      out(
        `  ${verdict(ok)}  ack p99 ≤ 2× bare during ${r.phase}: ${r.ack.vigil.p99.toFixed(1)} vs ${r.ack.bare.p99.toFixed(1)} ms`,
      );
    }
  } else {
    out('targets (issue 12, 100 000 series):');
    out(`  ${verdict(steadyRow.wallMs <= 10_000)}  steady cycle ≤ 10 s (median): ${seconds(steadyRow.wallMs)}`);
    out(`  ${verdict(peak <= 1.5 * 1024 * MB)}  peak RSS ≤ 1.5 GB: ${(peak / MB).toFixed(0)} MB`);
    const failures = [
      ...cycles.filter((c) => c.status !== 'ok' || c.series_scored !== N).map((c) => `cycle ${c.status}`),
      ...(recal.status === 'ok' ? [] : [`recalibration ${recal.status}`]),
      ...allRows.filter((r) => r.ack.vigil.failed > 0).map((r) => `${r.ack.vigil.failed} acks failed in ${r.phase}`),
    ];
    out(`  ${verdict(failures.length === 0)}  nothing fails${failures.length ? `: ${failures.join(', ')}` : ''}`);
  }
  const wrongCounts = cycles.filter((c) => c.series_scored !== N).length;
  if (wrongCounts > 0) out(`  note: ${wrongCounts} cycle(s) scored a number of series other than ${N}`);
  return 0;
}

let code = 1;
try {
  code = await main();
  await cleanUp(true);
} catch (error) {
  const timedOut = error instanceof PhaseTimeout;
  process.stderr.write(
    `bench:tick: ${timedOut ? 'abandoned' : 'failed'}: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  if (!timedOut && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  out(`bench:tick did not complete: ${error instanceof Error ? error.message : String(error)}`);
  await cleanUp(!timedOut);
}
// A cycle abandoned after the timeout may still hold the event loop: leave now.
process.exit(code);
