/**
 * Services and deploys discovered, on real components: a real Prometheus (Debian's package,
 * backfilled with promtool) holds the latency of three services none of which is under `services:`,
 * kube-state-metrics' `kube_deployment_labels` and `kube_deployment_status_observed_generation`;
 * real SQLite; the real Bolt app and detection thread. Only Slack's Web API is the local double
 * (test/helpers/fake-slack.ts), as strict as Slack about channels.
 *
 * orders-api has no owner anywhere (→ default channel); billing-api's series carry `team="payments"`
 * (→ #team-payments) and its Deployment's generation went 3 → 4 ten minutes before its fault (a
 * deploy nobody posted); ledger-api's owner is only its Deployment's `label_team="ledger"`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { parseEnv } from '../../src/config/load-config.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import type { CycleOutcome } from '../../src/pipeline/create-detection-cycle.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { seededNoise } from '../helpers/latency-history.js';
import { loggerInto } from '../helpers/logger-into.js';
import { type GaugeSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';

const MINUTE = 60;
const DAY = 86_400;

interface Service {
  service: string;
  labels: Record<string, string>;
  latency: number;
  faultAt: number;
}

/** Three days of one-minute latency; each service's latency is 5× for 20 minutes from its fault. */
function history(services: readonly Service[], start: number, end: number): GaugeSeries[] {
  const rand = seededNoise(11);
  return services.map((s) => {
    const series: GaugeSeries = {
      name: 'shop_latency_p99_seconds',
      labels: { service: s.service, namespace: 'shop', ...s.labels },
      points: [],
    };
    for (let t = start; t <= end; t += MINUTE) {
      const faulty = t >= s.faultAt && t < s.faultAt + 20 * MINUTE;
      series.points.push([t, +(s.latency * (1 + 0.05 * rand()) * (faulty ? 5 : 1)).toFixed(5)]);
    }
    return series;
  });
}

function constant(
  name: string,
  labels: Record<string, string>,
  start: number,
  end: number,
  value: (t: number) => number,
) {
  const series: GaugeSeries = { name, labels, points: [] };
  for (let t = start; t <= end; t += MINUTE) series.points.push([t, value(t)]);
  return series;
}

describe('services and deploys discovered from Prometheus (none under services:)', () => {
  let prometheus: RealPrometheus;
  let slack: FakeSlack;
  let vigil: RunningVigil;
  let dir: string;
  let clock: Date;
  let start: () => Promise<RunningVigil>;
  const logLines: string[] = [];
  /** What each refresh of deploy_discovery read: `seen` deploys, `added` of them new. */
  const deployReads = () =>
    logLines
      .map((line) => JSON.parse(line) as { msg?: string; added?: number; seen?: number })
      .filter((l) => l.msg === 'deploys read from Prometheus')
      .map((l) => ({ added: l.added, seen: l.seen }));
  // 8 h in the past on a minute boundary: query_range over a fixed past window is deterministic.
  const ordersFault = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE - 8 * 3600;
  const billingFault = ordersFault + 90 * MINUTE;
  const ledgerFault = ordersFault + 180 * MINUTE;
  const deployAt = billingFault - 10 * MINUTE;
  const cycleAt = async (unixSeconds: number) => {
    clock = new Date(unixSeconds * 1000);
    const outcome = (await vigil.runCycle()) as CycleOutcome;
    expect(outcome.status).toBe('ok');
    return outcome;
  };
  const topLevelPosts = () => slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === undefined);
  const billingDeploys = () =>
    vigil.pipeline.repos.opsEvents.all().filter((e) => e.type === 'deploy' && e.service === 'billing-api');

  beforeAll(async () => {
    const from = ordersFault - 3 * DAY;
    const to = ledgerFault + 60 * MINUTE;
    prometheus = await startRealPrometheus([
      ...history(
        [
          { service: 'orders-api', labels: {}, latency: 0.3, faultAt: ordersFault },
          { service: 'billing-api', labels: { team: 'payments' }, latency: 0.2, faultAt: billingFault },
          { service: 'ledger-api', labels: {}, latency: 0.25, faultAt: ledgerFault },
        ],
        from,
        to,
      ),
      constant(
        'kube_deployment_labels',
        { deployment: 'ledger-api', namespace: 'shop', label_team: 'ledger' },
        from,
        to,
        () => 1,
      ),
      constant(
        'kube_deployment_status_observed_generation',
        { deployment: 'billing-api', namespace: 'shop' },
        from,
        to,
        (t) => (t >= deployAt ? 4 : 3),
      ),
    ]);
    slack = await startFakeSlack({ channels: ['#team-payments', '#team-ledger', '#vigil-alerts'] });
    dir = mkdtempSync(join(tmpdir(), 'vigil-discovery-'));
    const config = ConfigSchema.parse({
      prometheus: { url: prometheus.url, timeout_ms: 5000, step_seconds: 60 },
      slack: { mode: 'http', port: 0, default_channel: '#vigil-alerts', timeout_ms: 2000 },
      http: { health_port: 0 },
      teams: { payments: { channel: '#team-payments' }, ledger: { channel: '#team-ledger' } },
      signals: [
        {
          name: 'latency_p99',
          query: 'shop_latency_p99_seconds',
          service_label: 'service',
          namespace_label: 'namespace',
          direction: 'up',
          unit: 'seconds',
        },
      ],
      ownership: { team_label: 'team', kube_label: 'label_team', refresh_seconds: 60 },
      deploy_discovery: { enabled: true, refresh_seconds: 300, lookback_seconds: 3600 },
    });
    const env = parseEnv({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: 'test-signing-secret-0123456789abcdef',
      SLACK_API_URL: slack.apiUrl,
      VIGIL_DB: join(dir, 'vigil.db'),
    });
    start = () =>
      startVigil({
        config,
        env,
        logger: loggerInto(logLines, 'info'),
        now: () => clock,
        schedule: false,
        slackRetries: 0,
        unhandledRequestTimeoutMillis: 1500,
        host: '127.0.0.1',
      });
    clock = new Date((ordersFault + 3 * MINUTE) * 1000);
    vigil = await start();
  });

  afterAll(async () => {
    await vigil?.stop();
    await slack?.close();
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scores a service nobody configured and routes its incident to the default channel', async () => {
    const outcome = await cycleAt(ordersFault + 3 * MINUTE);
    expect(outcome.series_scored).toBe(3);
    expect(outcome.changes.opened).toHaveLength(1);
    const incident = vigil.pipeline.repos.incidents.get(outcome.changes.opened[0] as string);
    expect(incident?.services).toEqual(['orders-api']);
    expect(incident?.team).toBe('unowned');
    const posts = topLevelPosts();
    expect(posts).toHaveLength(1);
    expect(posts[0]?.params.channel).toBe(slack.channelIdOf('#vigil-alerts'));
    expect(JSON.stringify(posts[0]?.params.blocks)).toContain('orders-api');
  });

  it("routes by the team label on the service's series, and the deploy Prometheus recorded is on the card", async () => {
    const outcome = await cycleAt(billingFault + 3 * MINUTE);
    const opened = outcome.changes.opened.map((id) => vigil.pipeline.repos.incidents.get(id));
    const billing = opened.find((i) => i?.services.includes('billing-api'));
    expect(billing?.services).toEqual(['billing-api']);
    expect(billing?.team).toBe('payments');
    expect(billing?.hypothesis.reason).toMatch(/deployed \d+ min before \(generation 4, \d\d:\d\d UTC\)/);
    const post = topLevelPosts().find((c) => c.params.channel === slack.channelIdOf('#team-payments'));
    expect(post).toBeDefined();
    const card = JSON.stringify(post?.params.blocks);
    console.info(`billing-api card text: ${card.match(/Probable starting service[^"]*/)?.[0]}`);
    expect(card).toContain('generation 4');
    expect(billingDeploys()).toEqual([
      {
        type: 'deploy',
        service: 'billing-api',
        namespace: 'shop',
        version: 'generation 4',
        timestamp: new Date(deployAt * 1000).toISOString(),
      },
    ]);
  });

  it('stores the discovered deploy once: not again on the next refresh, nor after a restart', async () => {
    expect(deployReads()).toEqual([{ added: 1, seen: 1 }]);
    await cycleAt(billingFault + 10 * MINUTE);
    expect(billingDeploys()).toHaveLength(1);
    await vigil.stop();
    vigil = await start();
    await cycleAt(billingFault + 12 * MINUTE);
    expect(billingDeploys()).toHaveLength(1);
    // Both refreshes read the change again (the first of the new process at once), and stored nothing.
    expect(deployReads()).toEqual([
      { added: 1, seen: 1 },
      { added: 0, seen: 1 },
      { added: 0, seen: 1 },
    ]);
  });

  it("routes by the Deployment's Kubernetes label (kube_deployment_labels) when the series name no team", async () => {
    const outcome = await cycleAt(ledgerFault + 3 * MINUTE);
    const opened = outcome.changes.opened.map((id) => vigil.pipeline.repos.incidents.get(id));
    const ledger = opened.find((i) => i?.services.includes('ledger-api'));
    expect(ledger?.team).toBe('ledger');
    expect(ledger?.channel).toBe('#team-ledger');
    expect(topLevelPosts().some((c) => c.params.channel === slack.channelIdOf('#team-ledger'))).toBe(true);
  });
});
