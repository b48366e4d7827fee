/**
 * The health port on real sockets: clients that abort uploads, callers without the token, oversize
 * bodies and handlers that throw must each get an answer (or a closed socket) and leave the server
 * answering. An unhandled rejection in here fails the run: vitest reports it.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleEventsIntake, refuseUnauthorizedIntake } from '../../src/http/handle-events-intake.js';
import { type HealthServer, type HealthState, startHealthServer } from '../../src/http/start-health-server.js';
import { createLogger } from '../../src/logger.js';

const TOKEN = 'intake-token-0123456789';

describe('health server', () => {
  let server: HealthServer;
  let logLines: string[];
  let state: HealthState;
  let accepted: string[];

  beforeEach(async () => {
    logLines = [];
    accepted = [];
    state = {
      ready: () => ({ ready: true, reason: 'ready' }),
      intake: {
        authorize: (authorization) => refuseUnauthorizedIntake(authorization, TOKEN),
        accept: (body) =>
          handleEventsIntake(body, (event) => {
            accepted.push(event.service);
            return true;
          }),
      },
    };
    const destination = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    // The server reads the state's handlers per request: a test can swap one after start.
    server = await startHealthServer(
      { port: 0, host: '127.0.0.1', logger: createLogger({ level: 'debug', destination }) },
      state,
    );
  });
  afterEach(() => server.close());

  const healthz = async () => (await fetch(`http://127.0.0.1:${server.port}/healthz`)).status;

  async function openSocket(): Promise<Socket> {
    const socket = connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    return socket;
  }

  /** Everything the server sends until it closes the connection. */
  async function responseOf(socket: Socket): Promise<string> {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(socket, 'end');
    return Buffer.concat(chunks).toString('utf8');
  }

  async function waitForLog(text: string): Promise<string> {
    const deadline = Date.now() + 3000;
    for (;;) {
      const line = logLines.find((l) => l.includes(text));
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no log line with "${text}"`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const head = (headers: string[]) => `POST /events HTTP/1.1\r\nHost: vigil\r\n${headers.join('\r\n')}\r\n\r\n`;

  it('survives an upload with a valid token aborted mid-body, and goes on answering', async () => {
    const socket = await openSocket();
    // Expect: 100-continue makes the server say it has the request (and its handler is reading)
    // before any of the body is sent: the abort then surely lands mid-body.
    socket.write(
      head([
        `Authorization: Bearer ${TOKEN}`,
        'Content-Type: application/json',
        'Content-Length: 100000',
        'Expect: 100-continue',
      ]),
    );
    const [interim] = (await once(socket, 'data')) as [Buffer];
    expect(interim.toString()).toMatch(/^HTTP\/1\.1 100 Continue/);
    socket.write('{"type":"deploy","service":"pay');
    socket.destroy();

    const line = JSON.parse(await waitForLog('aborted by the client')) as { path: string };
    expect(line.path).toBe('/events');
    expect(await healthz()).toBe(200);
    expect(accepted).toEqual([]);
  });

  it('answers 401 without a token before reading the body, and survives the client then aborting', async () => {
    const socket = await openSocket();
    socket.write(head(['Content-Type: application/json', 'Content-Length: 100000']));
    socket.write('{"type":"deploy","service":"pay');
    const response = await responseOf(socket);
    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    expect(response).toMatch(/connection: close/i);
    expect(response).toContain('vigil_intake_unauthorized');
    socket.destroy();
    expect(await healthz()).toBe(200);
  });

  it('answers 413 to a declared body over the limit before it is sent', async () => {
    const socket = await openSocket();
    socket.write(
      head([`Authorization: Bearer ${TOKEN}`, 'Content-Type: application/json', 'Content-Length: 10000000']),
    );
    const response = await responseOf(socket);
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toContain('vigil_intake_too_large');
    socket.destroy();
    expect(await healthz()).toBe(200);
  });

  it('answers 500 when a handler throws, and goes on answering', async () => {
    state.ready = () => {
      throw new Error('SQLITE_IOERR: disk I/O error');
    };
    const res = await fetch(`http://127.0.0.1:${server.port}/ready`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'vigil_internal' });
    expect(await waitForLog('health port request failed')).toContain('SQLITE_IOERR');
    expect(await healthz()).toBe(200);
  });
});
