import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';
import type { IntakeResponse } from './handle-events-intake.js';

export interface HealthState {
  /** Whether the bot can do its job and, when it cannot, why (the body of the 503). */
  ready: () => { ready: boolean; reason: string };
  /** Prometheus exposition of the bot's own metrics. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** POST /events (deploys, maintenance); absent when no intake token is configured. */
  intake?: Intake;
  /** POST /alertmanager (Alertmanager's webhook); absent when no token is configured. */
  alertmanager?: Intake;
}

export interface Intake {
  /** A refusal decided on the headers alone (a wrong token), or null to read the body. */
  authorize: (authorization: string | undefined) => IntakeResponse | null;
  accept: (body: string) => IntakeResponse | Promise<IntakeResponse>;
  /** The largest body it reads (default 256 KiB). */
  maxBytes?: number;
}

export interface HealthServerOptions {
  port: number;
  /** Interface to listen on; default all interfaces. */
  host?: string;
  logger: Logger;
}

const MAX_INTAKE_BYTES = 256 * 1024;
const tooLarge = (maxBytes: number): IntakeResponse => ({
  status: 413,
  body: { error: 'vigil_intake_too_large', message: `at most ${maxBytes} bytes` },
});

async function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `keepAlive: false` when the body was left unread (a refusal): the connection is closed instead of
 * Node reading and discarding whatever the client still sends.
 */
function sendJson(res: ServerResponse, answer: IntakeResponse, keepAlive: boolean): void {
  res
    .writeHead(answer.status, { 'content-type': 'application/json', ...(keepAlive ? {} : { connection: 'close' }) })
    .end(JSON.stringify(answer.body));
}

async function route(req: IncomingMessage, res: ServerResponse, state: HealthState): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const intake = path === '/events' ? state.intake : path === '/alertmanager' ? state.alertmanager : undefined;
  if (intake && req.method === 'POST') {
    // The port is the probe port, reachable by anyone in the cluster: nothing is read before the
    // token is checked, and a declared oversize body is refused before it is sent.
    const maxBytes = intake.maxBytes ?? MAX_INTAKE_BYTES;
    const refusal =
      intake.authorize(req.headers.authorization) ??
      (Number(req.headers['content-length']) > maxBytes ? tooLarge(maxBytes) : null);
    if (refusal) return sendJson(res, refusal, false);
    const body = await readBody(req, maxBytes);
    if (body === null) return sendJson(res, tooLarge(maxBytes), false);
    return sendJson(res, await intake.accept(body), true);
  }
  if (path === '/alertmanager') {
    // Off without its token: answered as a path that does not exist, so Alertmanager logs a 404.
    res.writeHead(404).end();
  } else if (req.method !== 'GET') {
    res.writeHead(405).end();
  } else if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else if (path === '/ready') {
    const { ready, reason } = state.ready();
    res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(`${reason}\n`);
  } else if (path === '/metrics' && state.metrics) {
    const { contentType, body } = await state.metrics();
    res.writeHead(200, { 'content-type': contentType }).end(body);
  } else {
    res.writeHead(404).end();
  }
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** /healthz (the process answers) and /ready (it can do its job) for Kubernetes probes; /metrics; POST /events and /alertmanager. */
export async function startHealthServer(options: HealthServerOptions, state: HealthState): Promise<HealthServer> {
  const { logger } = options;
  const server: Server = createServer((req, res) => {
    // Every error of every request ends here: one request must never take the process down.
    route(req, res, state).catch((error: unknown) => {
      if (req.socket.destroyed) {
        // The client went away mid-request (an aborted upload): there is nobody to answer.
        logger.info({ path: req.url, err: error }, 'health port request aborted by the client');
        return;
      }
      logger.error({ path: req.url, err: error }, 'health port request failed');
      if (res.headersSent) res.destroy();
      else
        res
          .writeHead(500, { 'content-type': 'application/json', connection: 'close' })
          .end('{"error":"vigil_internal"}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
