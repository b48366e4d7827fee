import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runBacktestCommand } from './backtest/run-backtest-command.js';
import { checkBackendConnections } from './config/check-backend-connections.js';
import { ConfigError, loadConfig, parseEnv, requireSlackSecrets, slackSecretNames } from './config/load-config.js';
import { runDemo } from './demo/run-demo.js';
import { errorMessage, isVigilError } from './errors.js';
import { guardProcess } from './guard-process.js';
import { createLogger, createSilentLogger } from './logger.js';
import { startVigil } from './main.js';
import { readPackageVersion } from './package-version.js';
import { runReplay } from './replay/run-replay.js';
import { loadScenario } from './sources/load-scenario.js';
import { openDatabase } from './storage/open-database.js';

const HELP = `Usage: vigil <command>

  run                         start the bot (config from VIGIL_CONFIG, default ./vigil.yaml)
  check-config                validate the config file and the environment, then exit
  replay <dir> [--out FILE]   run the pipeline over a scenario folder; one JSON line per incident
         [--config FILE]      detection/correlation settings and signals from a config file
  demo [--out DIR]            replay the bundled demo scenario and show its incident cards
  backtest <signal|service>   replay detection and correlation over Prometheus history; report what
         [--days N]           would have paged over the last N days (default 7, at most 35) against
         [--config FILE]      the incidents and labels stored in VIGIL_DB
         [--end ISO-TIME]     the end of the period (default now)
  migrate                     apply database migrations to VIGIL_DB and exit
  --version                   print the version
  --help                      show this help
`;

const REPLAY_USAGE = 'vigil replay <dir> [--out FILE] [--config FILE]';

type Write = (text: string) => void;

async function checkConfig(env: NodeJS.ProcessEnv, write: Write): Promise<number> {
  const loaded = loadConfig(env);
  // Variables the backends' auth names and CA files: a problem is reported like a bad key.
  checkBackendConnections(loaded.config, env, loaded.configPath);
  const mode = loaded.config.slack.mode;
  write(
    `${loaded.configPath} is valid: ${loaded.config.services.length} services, ${loaded.config.signals.length} signals, ` +
      `${Object.keys(loaded.config.teams).length} teams, Slack ${mode} mode.\n`,
  );
  // The file can be right and the bot still not start: check the secrets `run` will ask for.
  const needs = `environment: Slack ${mode} mode needs ${slackSecretNames(mode).join(' and ')}`;
  try {
    requireSlackSecrets(loaded.config, loaded.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`vigil: ${needs} — missing:\n${error.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 78; // EX_CONFIG, as for a bad file
  }
  write(`${needs} — all set.\n`);
  return 0;
}

async function run(env: NodeJS.ProcessEnv): Promise<number> {
  const { config, env: parsedEnv } = loadConfig(env);
  const logger = createLogger({ level: parsedEnv.LOG_LEVEL ?? config.log_level });
  const vigil = await startVigil({ config, env: parsedEnv, logger });
  const unguard = guardProcess(process, logger.child({ name: 'process' }), vigil.countUnexpectedError);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await vigil.stop();
  unguard();
  return 0;
}

async function replay(args: string[], env: NodeJS.ProcessEnv, write: Write): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, config: { type: 'string' } },
  });
  const dir = positionals[0];
  if (!dir) {
    process.stderr.write(`vigil: replay needs a scenario folder: ${REPLAY_USAGE}\n`);
    return 2;
  }
  if (positionals.length > 1) {
    process.stderr.write(`vigil: replay takes one scenario folder, got ${positionals.join(' ')}: ${REPLAY_USAGE}\n`);
    return 2;
  }
  const base = values.config ? loadConfig({ ...env, VIGIL_CONFIG: values.config }).config : undefined;
  const scenario = await loadScenario(dir);
  for (const r of scenario.rejected.slice(0, 10)) write(`rejected ${r}\n`);
  const result = await runReplay({ scenario, logger: createSilentLogger(), ...(base ? { base } : {}) });
  const lines = result.incidents.map((i) => JSON.stringify(i)).join('\n');
  if (values.out) {
    writeFileSync(values.out, lines.length > 0 ? `${lines}\n` : '');
    write(
      `${result.incidents.length} incidents from ${result.anomalies} anomalies in ${result.cycles} cycles ` +
        `(${result.samples} samples, ${scenario.rejected.length} rejected) → ${values.out}\n`,
    );
  } else if (lines.length > 0) write(`${lines}\n`);
  result.db.close();
  return 0;
}

/** Runs a CLI command; returns the exit code. Errors a person can fix are printed without a stack. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const write: Write = (text) => process.stdout.write(text);
  const [command = 'help', ...args] = argv;
  try {
    switch (command) {
      case 'run':
        return await run(env);
      case 'check-config':
        return await checkConfig(env, write);
      case 'replay':
        return await replay(args, env, write);
      case 'backtest': {
        // Ctrl-C stops the run at its next tick and says how far it got.
        const stop = new AbortController();
        const onInterrupt = () => stop.abort();
        process.once('SIGINT', onInterrupt);
        try {
          return await runBacktestCommand(args, env, {
            write,
            warn: (text) => process.stderr.write(text),
            signal: stop.signal,
          });
        } finally {
          process.off('SIGINT', onInterrupt);
        }
      }
      case 'demo': {
        const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
        const parsedEnv = parseEnv(env);
        return await runDemo({
          outDir: values.out ?? 'demo-output',
          env: parsedEnv,
          logger: parsedEnv.LOG_LEVEL ? createLogger({ level: parsedEnv.LOG_LEVEL }) : createSilentLogger(),
          write,
        });
      }
      case 'migrate': {
        const db = openDatabase(parseEnv(env).VIGIL_DB);
        db.close();
        write('migrations applied\n');
        return 0;
      }
      case 'version':
      case '--version':
      case '-v':
        write(`${readPackageVersion()}\n`);
        return 0;
      case 'help':
      case '--help':
      case '-h':
        write(HELP);
        return 0;
      default:
        process.stderr.write(`unknown command "${command}"\n\n${HELP}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`vigil: ${error.message}\n`);
      return 78; // EX_CONFIG: the operator must fix the configuration
    }
    if (isVigilError(error)) {
      process.stderr.write(`vigil: ${error.code}: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`vigil: ${errorMessage(error)}\n`);
    if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
