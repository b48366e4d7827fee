import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IntakeResponse } from './handle-events-intake.js';

export interface HealthState {
  /** Ready once Slack is connected and the database is open. */
  ready: () => boolean;
  /** Prometheus exposition of the bot's own metrics. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** POST /events (deploys, maintenance); absent when no intake token is configured. */
  intake?: (request: { authorization: string | undefined; body: string }) => IntakeResponse;
}

const MAX_INTAKE_BYTES = 256 * 1024;

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_INTAKE_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** /healthz (the process answers) and /ready (it can do its job) for Kubernetes probes; /metrics; POST /events. */
export async function startHealthServer(port: number, state: HealthState, host = '0.0.0.0'): Promise<HealthServer> {
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/events' && req.method === 'POST' && state.intake) {
      const body = await readBody(req);
      const answer =
        body === null
          ? { status: 413, body: { error: 'vigil_intake_too_large', message: `at most ${MAX_INTAKE_BYTES} bytes` } }
          : state.intake({ authorization: req.headers.authorization, body });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/ready') {
      const ready = state.ready();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'starting\n');
    } else if (path === '/metrics' && state.metrics) {
      try {
        const { contentType, body } = await state.metrics();
        res.writeHead(200, { 'content-type': contentType }).end(body);
      } catch {
        res.writeHead(500).end();
      }
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
