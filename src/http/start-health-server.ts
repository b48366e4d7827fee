import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthState {
  /** Ready once Slack is connected and the database is open. */
  ready: () => boolean;
  /** Prometheus exposition of the bot's own metrics. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** /healthz (the process answers) and /ready (it can do its job) for Kubernetes probes; /metrics. */
export async function startHealthServer(port: number, state: HealthState, host = '0.0.0.0'): Promise<HealthServer> {
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
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
