/**
 * Every outgoing message passes Slack's limits (issue 16, item 2): a reply too long for Slack is cut
 * safely (never inside an escape) and reaches the person, instead of Slack refusing it. Through the
 * real Vigil (startVigil), Bolt's real HTTPReceiver with really signed requests, and the Slack Web
 * API double (test/helpers/fake-slack.ts), which refuses what Slack refuses: invalid_blocks,
 * msg_too_long. Real SQLite with the real migrations.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FetchFunction, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { parseEnv } from '../../src/config/load-config.js';
import { createSilentLogger } from '../../src/logger.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import { checkOutgoingMessages } from '../../src/slack/check-outgoing-messages.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { loggerInto } from '../helpers/logger-into.js';
import { postSigned, slashCommandBody } from '../helpers/signed-slack-request.js';

const SECRET = 'test-signing-secret-0123456789abcdef';

describe('every outgoing message within Slack limits, through the real receiver', () => {
  let slack: FakeSlack;
  let vigil: RunningVigil;
  let dir: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-limits-'));
    slack = await startFakeSlack({ channels: ['#team-payments'] });
    const config = ConfigSchema.parse({
      prometheus: { url: 'http://127.0.0.1:9', timeout_ms: 1000 },
      slack: { mode: 'http', port: 0, timeout_ms: 2000 },
      http: { health_port: 0 },
      teams: { payments: { channel: '#team-payments' } },
      services: [{ name: 'payment-api', namespace: 'shop', team: 'payments' }],
      signals: [{ name: 'latency_p99', query: 'x' }],
    });
    vigil = await startVigil({
      config,
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: join(dir, 'vigil.db'),
      }),
      logger: loggerInto(logLines, 'debug'),
      schedule: false,
      slackRetries: 0,
      host: '127.0.0.1',
    });
  }, 30_000);

  afterAll(async () => {
    await vigil?.stop();
    await slack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the double refuses an oversized reply, as Slack does', async () => {
    const tooLong = { text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }] };
    const res = await fetch(slack.responseUrl('direct'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(tooLong),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ ok: false, error: 'invalid_blocks' });
    const text = await fetch(slack.responseUrl('direct'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'z'.repeat(40_001) }),
    });
    expect(await text.json()).toEqual({ ok: false, error: 'msg_too_long' });
    expect(slack.responses.filter((r) => r.id === 'direct')).toEqual([]);
  });

  it('an oversized /vigil reply is cut without splitting an escape, and posts', async () => {
    // An "incident id" of 4 000 characters with & in it: the usage reply quotes it, escaped (&amp;),
    // and its section would be over Slack's 3 000 characters.
    const id = 'inc-&'.repeat(800);
    const res = await postSigned({
      url: `http://127.0.0.1:${vigil.slackPort}/slack/events`,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: slashCommandBody({ text: `ack ${id}`, response_url: slack.responseUrl('ack') }),
    });
    expect(res.status).toBe(200);
    const reply = await slack.waitFor(() => slack.responses.find((r) => r.id === 'ack'));
    const blocks = reply.body.blocks as Array<{ type: string; text: { text: string } }>;
    const section = blocks[0]?.text.text ?? '';
    expect(section.length).toBeLessThanOrEqual(3000);
    expect(section.startsWith(':warning: No incident `inc-&amp;inc-&amp;')).toBe(true);
    expect(section.endsWith('&amp;inc-…') || section.endsWith('inc-&amp;…')).toBe(true);
    // Every & left in the reply is a whole escape.
    expect(section.replace(/&amp;/g, '')).not.toContain('&');
    expect(logLines.some((l) => l.includes('reply fitted to Slack limits'))).toBe(true);
  });

  it('a Web API post longer than Slack takes is cut and posts (the fetch every client is built with)', async () => {
    const client = new WebClient('xoxb-test-token', {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      fetch: checkOutgoingMessages(globalThis.fetch as FetchFunction, createSilentLogger()),
    });
    const unchecked = new WebClient('xoxb-test-token', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    const long = `${'<@U0ALICE> '.repeat(4000)}end`;
    // Without the check, Slack refuses it.
    await expect(unchecked.chat.postMessage({ channel: '#team-payments', text: long })).rejects.toThrow(/msg_too_long/);
    const res = await client.chat.postMessage({
      channel: '#team-payments',
      text: long,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: long.slice(0, 5000) } }],
    });
    expect(res.ok).toBe(true);
    const sent = slack.messagesIn('#team-payments').at(-1);
    const text = String(sent?.text);
    expect(text.length).toBeLessThanOrEqual(40_000);
    expect(text.endsWith('<@U0ALICE> …')).toBe(true);
    const section = ((sent?.blocks ?? []) as Array<{ text: { text: string } }>)[0]?.text.text ?? '';
    expect(section.length).toBeLessThanOrEqual(3000);
    expect(section.endsWith('<@U0ALICE> …')).toBe(true);
  });
});
