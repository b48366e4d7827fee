/**
 * The detection thread's entry (see start-detection-thread.ts): builds the detection side on its
 * own connection to the database and answers the main thread's calls one message at a time. Its
 * heap, its garbage collections and its seconds of scoring are its own: the main thread, which
 * acks Slack, never waits for them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createTopology } from '../correlation/topology.js';
import { errorMessage } from '../errors.js';
import { createLogger } from '../logger.js';
import { configuredPrometheusSource } from '../sources/configured-prometheus-source.js';
import { openDatabase } from '../storage/open-database.js';
import { logLinesTo } from '../threads/forward-worker-logs.js';
import { BACKGROUND_NICE, lowerThreadPriority } from '../threads/lower-thread-priority.js';
import { createDetectionSide } from './create-detection-side.js';
import { createRepos, routingOf } from './create-repos.js';
import type { DetectionThreadData, FromThread, ToThread } from './detection-thread-protocol.js';

const port = parentPort;
if (!port) throw new Error('detection-thread.ts runs as a worker thread (see start-detection-thread.ts)');
const data = workerData as DetectionThreadData;
const post = (message: FromThread) => port.postMessage(message);

for (const url of data.preload) await import(url);

const logger = createLogger({ level: data.logLevel, destination: logLinesTo(post) });
const { config } = data;
const nice = lowerThreadPriority(BACKGROUND_NICE);
logger.debug({ nice }, 'detection thread started');
const db = openDatabase(data.dbPath);
const source = configuredPrometheusSource(config, data.secretEnv, undefined, logger.child({ name: 'discovery' }));
const side = createDetectionSide({
  config,
  repos: createRepos(db),
  source,
  topology: createTopology(config.services),
  routing: routingOf(config, source),
  logger,
  persistState: data.persistState,
});

async function answer(message: ToThread): Promise<unknown> {
  switch (message.op) {
    case 'detect':
      return side.detect(new Date(message.nowMs));
    case 'recalibrate':
      return side.recalibrate(new Date(message.nowMs));
    case 'saveForStop':
      return side.saveForStop(new Date(message.nowMs));
    case 'suppression':
      return side.suppression(message.service, message.namespace, message.atMs);
    case 'close':
      // The challenger's turn may still be writing what it would have opened.
      await side.close();
      db.close();
      return null;
    case 'addOpsEvent':
      side.addOpsEvent(message.event);
      return null;
    case 'silenceChanged':
      side.silenceChanged(message.change);
      return null;
    case 'alertsArrived':
      side.alertsArrived();
      return null;
    case 'setDiscoveredEdges':
      side.setDiscoveredEdges(message.edges);
      return null;
  }
}

port.on('message', (message: ToThread) => {
  void answer(message).then(
    (value) => {
      if ('id' in message)
        post({ type: 'reply', id: message.id, ok: true, value, seriesTracked: side.seriesTracked() });
      if (message.op === 'close') port.close();
    },
    (error: unknown) => {
      if ('id' in message)
        post({
          type: 'reply',
          id: message.id,
          ok: false,
          error: errorMessage(error),
          seriesTracked: side.seriesTracked(),
        });
    },
  );
});
post({ type: 'ready', seriesTracked: side.seriesTracked() });
