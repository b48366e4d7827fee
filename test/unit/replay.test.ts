import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { SignalConfigSchema } from '../../src/config/config-schema.js';
import { generateDemoScenario } from '../../src/demo/generate-demo-scenario.js';
import { createReplaySource } from '../../src/sources/create-replay-source.js';
import { loadScenario } from '../../src/sources/load-scenario.js';
import { startFakeSlack } from '../helpers/fake-slack.js';

describe('replay', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-replay-'));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  function writeScenario(folder: string, gzip: boolean, extraLines: string[] = []) {
    const scenario = generateDemoScenario();
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'topology.json'), JSON.stringify(scenario.topology));
    const lines = [...scenario.samples.map((s) => JSON.stringify(s)), ...extraLines].join('\n');
    if (gzip) writeFileSync(join(folder, 'samples.jsonl.gz'), gzipSync(lines));
    else writeFileSync(join(folder, 'samples.jsonl'), lines);
    writeFileSync(join(folder, 'events.jsonl'), scenario.events.map((e) => JSON.stringify(e)).join('\n'));
    return scenario;
  }

  it('reads .jsonl.gz and rejects garbage lines without losing the rest', async () => {
    const folder = join(dir, 's1');
    const scenario = writeScenario(folder, true, ['not json', '{"timestamp":"x","service":"a"}']);
    const loaded = await loadScenario(folder);
    expect(loaded.samples).toHaveLength(scenario.samples.length);
    expect(loaded.rejected).toHaveLength(2);
    expect(loaded.rejected[0]).toMatch(/samples\.jsonl\.gz:\d+: not JSON/);
    expect(loaded.events).toHaveLength(1);
  });

  it('`vigil replay <dir> --out` writes one JSON line per incident, the same on every run', async () => {
    const folder = join(dir, 's2');
    writeScenario(folder, false);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const out1 = join(dir, 'a.jsonl');
    const out2 = join(dir, 'b.jsonl');
    expect(await main(['replay', folder, '--out', out1], {})).toBe(0);
    expect(await main(['replay', folder, '--out', out2], {})).toBe(0);
    const text = readFileSync(out1, 'utf8');
    expect(readFileSync(out2, 'utf8')).toBe(text);
    const incidents = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const i of incidents) {
      expect(Object.keys(i)).toEqual(
        expect.arrayContaining([
          'id',
          'created_at',
          'services',
          'probable_starting_service',
          'severity',
          'anomaly_count',
        ]),
      );
    }
    // The payment incident of the demo story: payment-api first, its callers after it.
    const payment = incidents.find((i) => i.probable_starting_service === 'payment-api');
    expect(payment?.services).toEqual(expect.arrayContaining(['payment-api', 'checkout-api', 'web-frontend']));
    expect(String(payment?.reason)).toContain('payment-api 2026.11.02-3');
    // Paged within two minutes of the fault at 05:00 (the evidence bar wants more than one scrape).
    const paged = Date.parse(String(payment?.created_at)) - Date.parse('2026-11-02T05:00:00Z');
    expect(paged).toBeGreaterThanOrEqual(0);
    expect(paged).toBeLessThanOrEqual(2 * 60_000);
    expect(incidents.filter((i) => (i.services as string[]).includes('payment-api'))).toHaveLength(1);
  });

  it('fails clearly on a folder without topology', async () => {
    const errors: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });
    expect(await main(['replay', join(dir, 'nothing')], {})).toBe(1);
    expect(errors.join('')).toContain('vigil_replay_invalid');
    expect(errors.join('')).toContain('topology.json is missing');
  });
});

describe('the replay source', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 2, 5, minute)).toISOString();
  const sample = (service: string, minute: number, value: number, metric = 'latency_p99') => ({
    timestamp: at(minute),
    service,
    namespace: 'shop',
    metric_name: metric,
    value,
  });

  it('answers a range as one column pair per series, cut to the range, in the order their points come', async () => {
    // File order is not time order; "web" has the earliest point of the range, "api" the earliest overall.
    const source = createReplaySource([
      sample('api', 3, 3),
      sample('web', 2, 20),
      sample('api', 0, 0),
      sample('api', 1, 1),
      sample('web', 4, 40),
      sample('api', 2, 2),
      sample('db', 2, 9, 'error_rate'),
    ]);
    const signal = SignalConfigSchema.parse({ name: 'latency_p99', query: 'x' });
    const range = { startMs: Date.parse(at(2)), endMs: Date.parse(at(3)), stepSeconds: 60 };
    const batch = await source.fetch(signal, range);
    expect(batch.rejected).toBe(0);
    expect(batch.series.map((s) => ({ key: s.key, timestamps: [...s.timestamps], values: [...s.values] }))).toEqual([
      { key: 'shop/web/latency_p99', timestamps: [Date.parse(at(2))], values: [20] },
      { key: 'shop/api/latency_p99', timestamps: [Date.parse(at(2)), Date.parse(at(3))], values: [2, 3] },
    ]);
    expect(batch.series[1]?.identity).toEqual({
      service: 'api',
      namespace: 'shop',
      metric_name: 'latency_p99',
      labels: {},
    });
  });
});

describe('demo', () => {
  it('with SLACK_BOT_TOKEN set, posts the cards for real (here: to the Slack Web API double)', async () => {
    const slack = await startFakeSlack({ channels: ['#demo'] });
    const out = mkdtempSync(join(tmpdir(), 'vigil-demo-live-'));
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const env = { SLACK_BOT_TOKEN: 'xoxb-demo', SLACK_API_URL: slack.apiUrl, VIGIL_DEMO_CHANNEL: '#demo' };
      expect(await main(['demo', '--out', out], env)).toBe(0);
      expect(printed.join('')).toContain('Posting cards to #demo');
      const cards = slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === undefined);
      // The payment incident; the catalog burst falls in the demo's silence (below).
      expect(cards.length).toBeGreaterThanOrEqual(1);
      // Vigil joined #demo (by its id, found by name) and posted there.
      expect(new Set(cards.map((c) => c.params.channel))).toEqual(new Set([slack.channelIdOf('#demo')]));
      expect(slack.channel('#demo')?.member).toBe(true);
      expect(cards[0]?.authorization).toBe('Bearer xoxb-demo');
      // Updates edit the messages Slack created, in the channel id Slack answered.
      const updates = slack.callsTo('chat.update');
      expect(updates.length).toBeGreaterThan(0);
      expect(updates.every((u) => u.params.channel === slack.channelIdOf('#demo'))).toBe(true);
    } finally {
      vi.restoreAllMocks();
      await slack.close();
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('shows the cards with no credentials and saves their Block Kit JSON', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vigil-demo-'));
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['demo', '--out', out], {})).toBe(0);
      const text = printed.join('');
      expect(text).toContain('No SLACK_BOT_TOKEN set');
      expect(text).toContain('Probable starting service: payment-api');
      expect(text).toMatch(/payment-api latency_p99 ↑ \d+ ms: \+\d+ ms above the expected/);
      const calls = readFileSync(join(out, 'slack-calls.jsonl'), 'utf8').trim().split('\n');
      const posts = calls
        .map((l) => JSON.parse(l) as { method: string })
        .filter((c) => c.method === 'chat.postMessage');
      expect(posts.length).toBeGreaterThanOrEqual(1);
      expect(calls.some((l) => l.includes('"chat.update"'))).toBe(true);
      // The silence is typed through the command code and holds the catalog burst: recorded, no card.
      expect(text).toContain('/vigil silence catalog-api 1h canary rollout');
      expect(text).toMatch(
        /▶ suppressed by the silence: inc-\w+ \(catalog-api, \d+ anomalies from 06:4\d UTC, resolved\): recorded, not paged — silence S-[0-9A-F]{6} of shop\/catalog-api/,
      );
      expect(calls.some((l) => l.includes('catalog-api'))).toBe(false);
      expect(readFileSync(join(out, 'silence.txt'), 'utf8')).toContain('Silences and maintenance: 1 in force or ahead');
      // The truthful card: a timeline, and the deploy said with its time.
      expect(text).toMatch(/Timeline \(UTC\)\n│ \d\d:\d\d deploy of payment-api/);
      expect(text).toMatch(/deployed \d+ min before \(payment-api [^,]+, \d\d:\d\d UTC\)/);
      expect(text).toMatch(/anomalies stopped \(last anomaly\) · lasted \d+ min/);
      // The remediation request: refused server-side for a stranger and for the requester, approved by
      // the lead, run as a dry run; its messages saved.
      expect(text).toContain('only U0DEMOGUEST sees: You are not allowed to approve Restart');
      expect(text).toContain('two-person rule');
      expect(text).toContain('approved by <@U0DEMOLEAD>');
      expect(text).toContain('Dry run: nothing was sent');
      const remediation = readFileSync(join(out, 'remediation-messages.jsonl'), 'utf8').trim().split('\n');
      const methods = remediation.map((l) => (JSON.parse(l) as { method: string }).method);
      expect(methods).toContain('chat.postMessage (thread)');
      expect(methods).toContain('chat.update');
      expect(methods).toContain('respond (ephemeral)');
    } finally {
      vi.restoreAllMocks();
      rmSync(out, { recursive: true, force: true });
    }
  });
});
