import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { FetchFunction } from '@slack/web-api';
import type { SlackSecrets } from '../config/load-config.js';
import type { Logger } from '../logger.js';
import { createBoltLogger } from './bolt-logger.js';
import { register as registerActions } from './listeners/actions/index.js';
import { register as registerCommands } from './listeners/commands/index.js';
import type { ListenerDeps } from './listeners/deps.js';
import { register as registerEvents } from './listeners/events/index.js';
import { refuseFutureTimestamps } from './refuse-future-timestamps.js';
import { slackClientOptions } from './slack-client-options.js';

export interface SlackAppOptions {
  mode: 'socket' | 'http';
  secrets: SlackSecrets;
  /** Web API call timeout. */
  timeoutMs: number;
  /** Web API retries of failed calls; tests use 0 (the default policy retries for ~30 min). */
  retries: number;
  logger: Logger;
  /** The rate-limit gate's fetch, so that Retry-After holds for every client Bolt makes. */
  fetch?: FetchFunction;
  /** HTTP mode: how long Bolt waits for a listener to ack before answering 404 itself. */
  unhandledRequestTimeoutMillis?: number;
}

/**
 * The Bolt app: transport only (receiver + listeners). Initialisation is deferred to `app.init()`,
 * which the caller awaits: Bolt otherwise verifies the token in its constructor with a promise
 * nobody awaits, and a bad token or no route to Slack crashes the process instead of failing
 * start-up with a message. Client options: see slackClientOptions.
 */
export function createSlackApp(options: SlackAppOptions, deps: ListenerDeps): App {
  const { secrets, logger } = options;
  const boltLogger = createBoltLogger(logger);
  const clientOptions = slackClientOptions({
    apiUrl: secrets.apiUrl,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const appOptions = {
    token: secrets.botToken,
    logger: boltLogger,
    clientOptions,
    deferInitialization: true,
    // No conversation store: Vigil keeps no per-conversation state in Bolt, and its default (an
    // in-memory store) looked every request up and, finding nothing, made an Error with its stack
    // on the thread that acks Slack, for every command, click and event.
    convoStore: false as const,
  };
  let app: App;
  if (options.mode === 'http') {
    if (!secrets.signingSecret) throw new Error('HTTP mode needs SLACK_SIGNING_SECRET');
    const receiver = new HTTPReceiver({
      signingSecret: secrets.signingSecret,
      logger: boltLogger,
      ...(options.unhandledRequestTimeoutMillis !== undefined
        ? { unhandledRequestTimeoutMillis: options.unhandledRequestTimeoutMillis }
        : {}),
    });
    // A public property the receiver's server calls for every request: the check runs first.
    receiver.requestListener = refuseFutureTimestamps(receiver.requestListener, logger);
    app = new App({ ...appOptions, receiver });
  } else {
    if (!secrets.appToken) throw new Error('Socket Mode needs SLACK_APP_TOKEN');
    // Built here rather than by App so that SLACK_API_URL also reaches apps.connections.open.
    const receiver = new SocketModeReceiver({
      appToken: secrets.appToken,
      logger: boltLogger,
      installerOptions: { clientOptions },
    });
    app = new App({ ...appOptions, receiver });
  }
  registerCommands(app, deps);
  registerEvents(app, deps);
  registerActions(app, deps);
  // One place where listener errors land (no try/catch-and-log in each listener).
  app.error(async (error) => {
    const code = (error as { code?: string }).code;
    logger.error({ err: error, code }, 'Slack listener failed');
  });
  return app;
}
