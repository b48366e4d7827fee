/**
 * A stand-in for Slack's Web API (which cannot be reached from here): a real HTTP server that
 * records every call and answers like Slack, including `ok: false` errors and 429 rate limits.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedSlackCall {
  method: string;
  params: Record<string, unknown>;
  authorization: string | undefined;
}

export type Failure = { status: 429; retryAfter: number } | { error: string };

export interface FakeSlack {
  apiUrl: string;
  responseUrl: (id: string) => string;
  calls: RecordedSlackCall[];
  /** JSON bodies POSTed to response_url (slash-command replies), by id. */
  responses: Array<{ id: string; body: Record<string, unknown> }>;
  callsTo(method: string): RecordedSlackCall[];
  /** The next call to `method` fails this way. */
  failNext(method: string, failure: Failure): void;
  channelIdOf(name: string): string;
  /** Socket Mode: the WebSocket URL apps.connections.open hands out. */
  socketUrl: string | undefined;
  /** Members of user groups, answered by usergroups.users.list. */
  userGroups: Map<string, string[]>;
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseParams(contentType: string | undefined, raw: string): Record<string, unknown> {
  if (contentType?.includes('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const params: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    // The Web API client sends nested fields (blocks, attachments) as JSON strings.
    params[k] = k === 'blocks' || k === 'attachments' ? JSON.parse(v) : v;
  }
  return params;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: RecordedSlackCall[] = [];
  const responses: FakeSlack['responses'] = [];
  const failures = new Map<string, Failure[]>();
  let tsCounter = 0;
  const channelIdOf = (name: string) =>
    name.startsWith('#') ? `C${createHash('sha1').update(name).digest('hex').slice(0, 9).toUpperCase()}` : name;

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    if (url.pathname.startsWith('/response/')) {
      responses.push({ id: url.pathname.slice('/response/'.length), body: JSON.parse(raw) as Record<string, unknown> });
      send(200, { ok: true });
      return;
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const params = parseParams(req.headers['content-type'], raw);
    calls.push({ method, params, authorization: req.headers.authorization });
    const failure = failures.get(method)?.shift();
    if (failure && 'status' in failure) {
      send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfter) });
      return;
    }
    if (failure) {
      send(200, { ok: false, error: failure.error });
      return;
    }
    switch (method) {
      case 'auth.test':
        send(200, {
          ok: true,
          url: 'https://vigil-test.slack.com/',
          team: 'Vigil Test',
          user: 'vigil',
          team_id: 'T0TEST',
          user_id: 'U0VIGIL',
          bot_id: 'B0VIGIL',
        });
        return;
      case 'chat.postMessage': {
        tsCounter += 1;
        const channel = channelIdOf(String(params.channel));
        send(200, {
          ok: true,
          channel,
          ts: `1760000000.${String(tsCounter).padStart(6, '0')}`,
          message: { text: params.text },
        });
        return;
      }
      case 'apps.connections.open':
        if (fake.socketUrl) send(200, { ok: true, url: fake.socketUrl });
        else send(200, { ok: false, error: 'invalid_auth' });
        return;
      case 'usergroups.users.list': {
        const members = fake.userGroups.get(String(params.usergroup));
        if (members) send(200, { ok: true, users: members });
        else send(200, { ok: false, error: 'no_such_subteam' });
        return;
      }
      case 'views.open':
        send(200, { ok: true, view: { id: `V${calls.length}` } });
        return;
      case 'chat.update':
        send(200, { ok: true, channel: params.channel, ts: params.ts, text: params.text });
        return;
      default:
        send(200, { ok: true });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;

  const fake: FakeSlack = {
    socketUrl: undefined,
    userGroups: new Map(),
    apiUrl: `http://127.0.0.1:${port}/api/`,
    responseUrl: (id) => `http://127.0.0.1:${port}/response/${id}`,
    calls,
    responses,
    callsTo: (method) => calls.filter((c) => c.method === method),
    failNext(method, failure) {
      failures.set(method, [...(failures.get(method) ?? []), failure]);
    },
    channelIdOf,
    async waitFor(probe, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = probe();
        if (value !== undefined && value !== null && value !== false) return value;
        if (Date.now() > deadline) throw new Error('timed out waiting for the fake Slack to see the expected call');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
