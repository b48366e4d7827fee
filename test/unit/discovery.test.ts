/**
 * Services not under `services:` and deploys read from Prometheus: the config keys (absent
 * services accepted, each bad key named), the bound on discovered services, and which points of a
 * series are deploys. The end-to-end path against a real Prometheus and the Slack double is in
 * test/integration/discovered-services.test.ts; here the client is a fake answering fixed series.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { SignalConfigSchema } from '../../src/config/config-schema.js';
import { ServiceDiscoveryConfigSchema } from '../../src/config/discovery-schema.js';
import { ConfigError, parseConfigText } from '../../src/config/load-config.js';
import { correlateAnomalies } from '../../src/correlation/correlate-anomalies.js';
import { createTopology } from '../../src/correlation/topology.js';
import { buildIncident } from '../../src/incidents/build-incident.js';
import { createPrometheusSource } from '../../src/sources/create-prometheus-source.js';
import { deploysInNewSeries, deploysInSeries } from '../../src/sources/discover-deploys.js';
import type { PrometheusClient, RangeSeries } from '../../src/sources/prometheus-client.js';
import { lifecycleSettings } from '../helpers/lifecycle-settings.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';

const NO_SERVICES = `
prometheus:
  url: http://prometheus.local:9090
signals:
  - name: latency_p99
    query: shop_latency_p99_seconds
`;

const dir = mkdtempSync(join(tmpdir(), 'vigil-discovery-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(text: string): string[] {
  try {
    parseConfigText(text, 'vigil.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('discovery config', () => {
  it('accepts a file without services (or with services: []) and defaults discovery, ownership and deploys', () => {
    const config = parseConfigText(NO_SERVICES, 'vigil.yaml');
    expect(config.services).toEqual([]);
    expect(parseConfigText(`${NO_SERVICES}services: []\n`, 'vigil.yaml').services).toEqual([]);
    expect(config.discovery).toEqual({ default_namespace: 'default', max_services: 2000 });
    expect(config.ownership).toEqual({ kube_metric: 'kube_deployment_labels', refresh_seconds: 300 });
    expect(config.deploy_discovery).toMatchObject({
      enabled: false,
      service_label: 'deployment',
      refresh_seconds: 300,
    });
  });

  it('vigil check-config says such a file is valid', async () => {
    const path = join(dir, 'no-services.yaml');
    writeFileSync(path, NO_SERVICES);
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const code = await main(['check-config'], {
      VIGIL_CONFIG: path,
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
    });
    vi.restoreAllMocks();
    expect(code).toBe(0);
    expect(out.join('')).toContain('is valid: 0 services, 1 signals');
  });

  it('names each bad discovery key', () => {
    const problems = problemsOf(`${NO_SERVICES}
discovery: { max_services: 0 }
ownership: { kube_label: team, team_label: "team-name" }
deploy_discovery: { enabled: true, refresh_seconds: 600, lookback_seconds: 300, service_label: "" }
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^discovery\.max_services: /),
        'ownership.kube_label: a kube-state-metrics label name, e.g. label_team',
        'ownership.team_label: a Prometheus label name, e.g. deployment',
        expect.stringMatching(/^deploy_discovery\.service_label: /),
      ]),
    );
    // The cross-field check runs once the fields themselves are valid.
    expect(
      problemsOf(`${NO_SERVICES}deploy_discovery: { enabled: true, refresh_seconds: 600, lookback_seconds: 300 }\n`),
    ).toEqual([
      'deploy_discovery.lookback_seconds: must be longer than refresh_seconds, or a change between two refreshes is missed',
    ]);
  });
});

function clientAnswering(labels: Array<Record<string, string>>): PrometheusClient {
  return {
    queryRange: async (): Promise<RangeSeries[]> =>
      labels.map((l) => ({
        labels: Object.freeze(l),
        timestamps: Float64Array.of(60_000),
        values: Float64Array.of(1),
        dropped: 0,
      })),
  };
}

describe('discovered services in the Prometheus source', () => {
  const signal = SignalConfigSchema.parse({ name: 'latency_p99', query: 'q' });
  const range = { startMs: 0, endMs: 60_000, stepSeconds: 60 };

  it('scores a service not configured under the default namespace, up to max_services, and tells the limit once', async () => {
    const labels = Array.from({ length: 5 }, (_, i) => ({ service: `svc-${i}`, pod: 'p' }));
    const limits: number[] = [];
    const source = createPrometheusSource(clientAnswering(labels), [], {
      config: ServiceDiscoveryConfigSchema.parse({ max_services: 3, default_namespace: 'prod' }),
      onLimit: (max) => limits.push(max),
    });
    const first = await source.fetch(signal, range);
    expect(first.series.map((s) => s.key)).toEqual([
      'prod/svc-0/latency_p99{pod=p}',
      'prod/svc-1/latency_p99{pod=p}',
      'prod/svc-2/latency_p99{pod=p}',
    ]);
    expect(first.rejected).toBe(2);
    // The same services keep their place on the next cycle; the limit is told only once.
    const second = await source.fetch(signal, range);
    expect(second.series).toHaveLength(3);
    expect(limits).toEqual([3]);
  });

  it('without discovery a service not configured is dropped, as before', async () => {
    const source = createPrometheusSource(clientAnswering([{ service: 'ghost' }]), []);
    const { series, rejected } = await source.fetch(signal, range);
    expect(series).toEqual([]);
    expect(rejected).toBe(1);
  });
});

describe('deploysInSeries', () => {
  const config = { service_label: 'deployment', namespace_label: 'namespace' };
  const at = (minute: number) => Date.UTC(2026, 11, 1, 10, minute);

  it('is every change of value, at the first point with the new value', () => {
    const deploys = deploysInSeries(
      { deployment: 'billing-api', namespace: 'shop' },
      Float64Array.of(at(0), at(1), at(2), at(3), at(4)),
      Float64Array.of(3, 3, 4, 4, 5),
      config,
    );
    expect(deploys).toEqual([
      {
        type: 'deploy',
        service: 'billing-api',
        namespace: 'shop',
        version: 'generation 4',
        timestamp: '2026-12-01T10:02:00.000Z',
      },
      {
        type: 'deploy',
        service: 'billing-api',
        namespace: 'shop',
        version: 'generation 5',
        timestamp: '2026-12-01T10:04:00.000Z',
      },
    ]);
  });

  it('takes the version from version_label, and ignores a series without service or namespace', () => {
    const points = [Float64Array.of(at(0), at(1)), Float64Array.of(1, 2)] as const;
    expect(
      deploysInSeries({ deployment: 'a', namespace: 'n', image: 'a:1.2' }, ...points, {
        ...config,
        version_label: 'image',
      }),
    ).toMatchObject([{ version: 'a:1.2' }]);
    expect(deploysInSeries({ deployment: 'a' }, ...points, config)).toEqual([]);
  });
});

describe('deploysInNewSeries', () => {
  const config = { service_label: 'deployment', namespace_label: 'namespace', version_label: 'image' };
  const at = (minute: number) => Date.UTC(2026, 11, 1, 10, minute);
  const series = (image: string, minutes: number[], deployment = 'billing-api') => ({
    labels: { deployment, namespace: 'shop', image },
    timestamps: Float64Array.from(minutes.map(at)),
    values: Float64Array.from(minutes.map(() => 1)),
  });

  it('is a series of a known service that appears with a new image, not one there from the start or a new service', () => {
    const deploys = deploysInNewSeries(
      [
        series('billing:1.0', [0, 1, 2, 3]),
        series('billing:1.1', [3, 4]),
        series('ledger:2.0', [2, 3, 4], 'ledger-api'),
        series('ledger:2.1', [0, 1], 'ledger-api'),
      ],
      config,
      at(0),
      60_000,
    );
    expect(deploys).toEqual([
      {
        type: 'deploy',
        service: 'billing-api',
        namespace: 'shop',
        version: 'billing:1.1',
        timestamp: '2026-12-01T10:03:00.000Z',
      },
      {
        type: 'deploy',
        service: 'ledger-api',
        namespace: 'shop',
        version: 'ledger:2.0',
        timestamp: '2026-12-01T10:02:00.000Z',
      },
    ]);
    // A service first seen in the middle of the range is no deploy; its next image is one.
    expect(
      deploysInNewSeries([series('x:1', [2, 3]), series('x:2', [4])], config, at(0), 60_000).map((d) => d.version),
    ).toEqual(['x:2']);
  });
});

describe('the owner of an incident of discovered services', () => {
  const topology = createTopology([
    { name: 'ledger-api', namespace: 'shop', team: 'finance', tier: 1, depends_on: [] },
  ]);
  const draftOf = (service: string) => {
    const { opened } = correlateAnomalies({
      anomalies: [makeAnomaly(service, '2026-12-01T05:02:00Z')],
      open: [],
      topology,
      settings: lifecycleSettings(),
    });
    return opened[0] as NonNullable<(typeof opened)[0]>;
  };
  const routing = {
    teamChannels: new Map([
      ['finance', '#team-finance'],
      ['ledger', '#team-ledger'],
    ]),
    defaultChannel: '#vigil-alerts',
    teamOf: (service: string) => ({ 'ledger-api': 'ledger', 'billing-api': 'ledger', 'orders-api': 'ghosts' })[service],
  };
  const now = new Date('2026-12-01T05:03:00Z');

  it('is the configured team over the one labels name, else the labelled team, else nobody (default channel)', () => {
    const configured = buildIncident(draftOf('ledger-api'), topology, routing, undefined, now);
    expect([configured.team, configured.channel]).toEqual(['finance', '#team-finance']);
    const labelled = buildIncident(draftOf('billing-api'), topology, routing, undefined, now);
    expect([labelled.team, labelled.channel]).toEqual(['ledger', '#team-ledger']);
    // A team no `teams:` entry names still owns the incident, on the default channel.
    const unknownTeam = buildIncident(draftOf('orders-api'), topology, routing, undefined, now);
    expect([unknownTeam.team, unknownTeam.channel]).toEqual(['ghosts', '#vigil-alerts']);
    const nobody = buildIncident(draftOf('cart-api'), topology, routing, undefined, now);
    expect([nobody.team, nobody.channel]).toEqual(['unowned', '#vigil-alerts']);
  });
});
