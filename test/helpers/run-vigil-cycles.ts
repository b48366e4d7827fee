/**
 * A Vigil process for crash tests: starts Vigil (real Prometheus, real SQLite file, the Slack double)
 * on a clock it moves itself, runs detection cycles one minute apart, prints `cycle N done` after
 * each (and `saved N series in cycle C` after each write transaction of a checkpoint), and at the end writes every series' state (its bytes, base64) and min_score to a JSON file.
 * It can SIGKILL itself in the middle of a cycle's state checkpoint: after the first write
 * transaction of that cycle, before the others.
 *
 *   node --import tsx test/helpers/run-vigil-cycles.ts '<CycleRunSpec as JSON>'
 */
import { writeFileSync } from 'node:fs';
import { parseEnv } from '../../src/config/load-config.js';
import { createSilentLogger } from '../../src/logger.js';
import { startVigil } from '../../src/main.js';
import { createDetectorStateRepo } from '../../src/storage/detector-state-repo.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { crashTestConfig } from './pod-latency-config.js';

export interface CycleRunSpec {
  prometheusUrl: string;
  slackApiUrl: string;
  dbPath: string;
  /** Unix ms of cycle 0; cycle n runs at first + n minutes. */
  firstCycleMs: number;
  cycles: number[];
  /** Runs the batch recalibration after this cycle. */
  recalibrateAfter?: number;
  /** SIGKILLs itself after the first write transaction of this cycle's checkpoint. */
  killInCheckpointOf?: number;
  /** Where the state is written after the last cycle. */
  dumpPath?: string;
}

export interface StateDump {
  state: Record<string, string>;
  minScores: Record<string, number>;
}

async function main(spec: CycleRunSpec): Promise<void> {
  let clock = spec.firstCycleMs;
  const vigil = await startVigil({
    config: crashTestConfig(spec.prometheusUrl),
    env: parseEnv({
      SLACK_BOT_TOKEN: 'xoxb-x',
      SLACK_SIGNING_SECRET: 'crash-test-signing-secret',
      SLACK_API_URL: spec.slackApiUrl,
      VIGIL_DB: spec.dbPath,
    }),
    logger: createSilentLogger(),
    now: () => new Date(clock),
    schedule: false,
    // In this thread, so that the checkpoint writes can be hooked (the kill below); the detection
    // thread runs the same code.
    detectionThread: false,
    slackRetries: 0,
    host: '127.0.0.1',
  });
  const repo = vigil.pipeline.repos.detectorState;
  const save = repo.save;
  let killArmed = false;
  let cycle = -1;
  repo.save = (list, at) => {
    save(list, at);
    process.stdout.write(`saved ${list.length} series in cycle ${cycle}\n`);
    if (killArmed) process.kill(process.pid, 'SIGKILL');
  };
  for (const n of spec.cycles) {
    cycle = n;
    clock = spec.firstCycleMs + n * 60_000;
    killArmed = n === spec.killInCheckpointOf;
    const outcome = await vigil.runCycle();
    if (outcome?.status !== 'ok') throw new Error(`cycle ${n}: ${JSON.stringify(outcome?.errors)}`);
    if (n === spec.recalibrateAfter) {
      const report = await vigil.runRecalibration();
      if (report?.status !== 'ok') throw new Error(`recalibration: ${report?.error}`);
    }
    process.stdout.write(`cycle ${n} done\n`);
  }
  // What a graceful stop saves is not any cycle's.
  cycle = -1;
  // A graceful stop saves every series changed since its checkpoint: the store then holds the
  // engine's state exactly, and is what is dumped.
  await vigil.stop();
  if (spec.dumpPath) {
    const db = openDatabase(spec.dbPath);
    const stored = createDetectorStateRepo(db);
    const dump: StateDump = { state: {}, minScores: {} };
    for (const s of stored.loadAll()) dump.state[s.key] = Buffer.from(s.state).toString('base64');
    for (const [key, minScore] of stored.calibrations()) dump.minScores[key] = minScore;
    db.close();
    writeFileSync(spec.dumpPath, JSON.stringify(dump));
  }
}

if (process.argv[2]) {
  main(JSON.parse(process.argv[2]) as CycleRunSpec).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
