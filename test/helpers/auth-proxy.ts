/**
 * A small auth proxy in front of a real backend, like the ones real installations put before
 * Prometheus or Alertmanager (oauth2-proxy, nginx, a Mimir/Cortex gateway): it forwards a request
 * only when every required header has its exact value, and answers 401 otherwise. Optionally
 * https, with a certificate signed by a test CA.
 */
import { createServer as createHttpServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface AuthProxy {
  url: string;
  /** Every request seen, in order, with whether it was forwarded. */
  requests: Array<{ method: string; path: string; forwarded: boolean }>;
  close(): Promise<void>;
}

export interface AuthProxyOptions {
  /** Where authorized requests go, e.g. the real Prometheus's URL. */
  target: string;
  /** Header name (lower case) → the exact value it must have. */
  require: Record<string, string>;
  /** Serve https with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
}

export async function startAuthProxy(options: AuthProxyOptions): Promise<AuthProxy> {
  const target = new URL(options.target);
  const requests: AuthProxy['requests'] = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const authorized = Object.entries(options.require).every(([name, value]) => req.headers[name] === value);
    requests.push({ method: req.method ?? '', path: req.url ?? '', forwarded: authorized });
    if (!authorized) {
      req.resume();
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="test"' });
      res.end('401 Unauthorized\n');
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  };
  const server = options.tls ? createHttpsServer(options.tls, handle) : createHttpServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
