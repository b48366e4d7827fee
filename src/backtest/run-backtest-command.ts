import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { checkBackendConnections } from '../config/check-backend-connections.js';
import { loadConfig } from '../config/load-config.js';
import { createLogger, createSilentLogger } from '../logger.js';
import { configuredPrometheusSource } from '../sources/configured-prometheus-source.js';
import { formatBacktestReport } from './format-backtest-report.js';
import { parseBacktestArgs } from './parse-backtest-args.js';
import { resolveBacktestScope, runBacktest, storedHistoryOf } from './run-backtest.js';

export const BACKTEST_CLI_USAGE = 'vigil backtest <signal|service> [--days N] [--config FILE] [--end ISO-TIME]';

type Write = (text: string) => void;

export interface BacktestCommandIo {
  /** The report (stdout). */
  write: Write;
  /** Progress and problems (stderr). */
  warn: Write;
  /** Stops the run, like Ctrl-C (the CLI wires SIGINT to it). */
  signal?: AbortSignal;
}

/**
 * `vigil backtest`: the same backtest as `/vigil backtest`, printed. History comes from the
 * configured Prometheus; stored incidents and labels from VIGIL_DB, opened read-only (a missing file
 * only means nothing to compare with). `--end` replays the days before another time than now.
 */
export async function runBacktestCommand(argv: string[], env: NodeJS.ProcessEnv, io: BacktestCommandIo) {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    io.warn(`vigil: ${(error as Error).message}: ${BACKTEST_CLI_USAGE}\n`);
    return 2;
  }
  const { args, configPath, end } = parsed;
  const loaded = loadConfig({ ...env, ...(configPath ? { VIGIL_CONFIG: configPath } : {}) });
  const { config } = loaded;
  checkBackendConnections(config, env, loaded.configPath);
  resolveBacktestScope(config, args.target);
  const dbPath = loaded.env.VIGIL_DB;
  const db = dbPath !== ':memory:' && existsSync(dbPath) ? new Database(dbPath, { readonly: true }) : undefined;
  if (!db) io.warn(`vigil: ${dbPath} not found: nothing stored to compare with\n`);
  const logger = loaded.env.LOG_LEVEL ? createLogger({ level: loaded.env.LOG_LEVEL }) : createSilentLogger();
  let shown = -1;
  try {
    const outcome = await runBacktest({
      config,
      args,
      source: configuredPrometheusSource(config, env),
      ...(db ? { stored: storedHistoryOf(db) } : {}),
      now: end,
      logger,
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: (fraction) => {
        // Every tenth of the way, not every tick.
        const tenth = Math.floor(fraction * 10);
        if (tenth === shown) return;
        shown = tenth;
        io.warn(`backtest of ${args.target} over ${args.days} day${args.days === 1 ? '' : 's'}: ${tenth * 10} %\n`);
      },
    });
    if (outcome.status === 'cancelled') {
      io.warn(`backtest cancelled at ${Math.floor(outcome.fraction * 100)} %\n`);
      return 130;
    }
    io.write(`${formatBacktestReport(outcome.report).join('\n')}\n`);
    return 0;
  } finally {
    db?.close();
  }
}

function parseCommandLine(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { days: { type: 'string' }, config: { type: 'string' }, end: { type: 'string' } },
  });
  // The same validation as the slash command's.
  const words = [...positionals, ...(values.days !== undefined ? ['--days', values.days] : [])];
  const checked = parseBacktestArgs(words);
  if (!checked.ok) throw new Error(checked.problem.replaceAll('`', ''));
  const end = values.end === undefined ? new Date() : new Date(values.end);
  if (Number.isNaN(end.getTime())) throw new Error(`--end "${values.end}" is not a time (e.g. 2026-11-30T12:00:00Z)`);
  return { args: checked.args, configPath: values.config, end };
}
