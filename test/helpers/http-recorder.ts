/**
 * A real HTTP server that records every request and answers with a scripted status: the webhook
 * receiver of `http.webhook` actions, and (see fake-kubernetes.ts) the base of the Kubernetes API double.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface HttpRecorder {
  url: string;
  requests: RecordedRequest[];
  /** The next `count` requests get this status and body instead of the handler's answer. */
  failNext(status: number, body: string, count?: number): void;
  close(): Promise<void>;
}

export type Handler = (request: RecordedRequest) => { status: number; body: unknown };

export async function startHttpRecorder(
  handler: Handler = () => ({ status: 200, body: { ok: true } }),
): Promise<HttpRecorder> {
  const requests: RecordedRequest[] = [];
  const failures: Array<{ status: number; body: string }> = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    requests.push(recorded);
    const failure = failures.shift();
    if (failure) {
      res.writeHead(failure.status, { 'content-type': 'application/json' }).end(failure.body);
      return;
    }
    const answer = handler(recorded);
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failNext(status, body, count = 1) {
      for (let i = 0; i < count; i += 1) failures.push({ status, body });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
