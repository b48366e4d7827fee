/**
 * Socket Mode, offline: Slack's Web API double hands out a ws:// URL on 127.0.0.1 where a local
 * WebSocket server plays Slack's side of the socket (hello, envelopes, acks). Slack itself cannot
 * be reached from here; everything on Vigil's side is the real Bolt SocketModeReceiver.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { parseEnv } from '../../src/config/load-config.js';
import { createSilentLogger } from '../../src/logger.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';

describe('Socket Mode', () => {
  let slack: FakeSlack;
  let sockets: WebSocketServer;
  let vigil: RunningVigil;
  let dir: string;
  let socket: WebSocket | undefined;
  const received: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    slack = await startFakeSlack();
    sockets = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => sockets.once('listening', resolve));
    sockets.on('connection', (ws) => {
      socket = ws;
      ws.on('message', (data) => received.push(JSON.parse(data.toString()) as Record<string, unknown>));
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'local' } }));
    });
    slack.socketUrl = `ws://127.0.0.1:${(sockets.address() as AddressInfo).port}/`;
    dir = mkdtempSync(join(tmpdir(), 'vigil-socket-'));
    vigil = await startVigil({
      config: ConfigSchema.parse({
        prometheus: { url: 'http://127.0.0.1:9/' },
        slack: { mode: 'socket', timeout_ms: 2000 },
        http: { health_port: 0 },
        signals: [{ name: 'latency_p99', query: 'x' }],
      }),
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-socket',
        SLACK_APP_TOKEN: 'xapp-socket',
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: join(dir, 'v.db'),
      }),
      logger: createSilentLogger(),
      schedule: false,
      slackRetries: 0,
      host: '127.0.0.1',
    });
  });

  afterAll(async () => {
    await vigil?.stop();
    await new Promise((resolve) => sockets?.close(resolve));
    await slack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('connects with the app token and answers /vigil over the socket', async () => {
    const open = slack.callsTo('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.authorization).toBe('Bearer xapp-socket');
    expect(socket).toBeDefined();

    socket?.send(
      JSON.stringify({
        envelope_id: 'env-1',
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: {
          command: '/vigil',
          text: 'help',
          user_id: 'U0ONCALL',
          channel_id: 'C0OPS',
          team_id: 'T0TEST',
          trigger_id: '1.2.3',
          api_app_id: 'A0VIGIL',
          response_url: slack.responseUrl('socket-help'),
        },
      }),
    );
    const ack = await slack.waitFor(() => received.find((m) => m.envelope_id === 'env-1'));
    expect(ack).toBeDefined();
    const reply = await slack.waitFor(() => slack.responses.find((r) => r.id === 'socket-help'));
    expect(reply.body.response_type).toBe('ephemeral');
    expect(String(reply.body.text)).toContain('/vigil status');
  });
});
