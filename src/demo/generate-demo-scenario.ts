import { ConfigSchema, type VigilConfig } from '../config/config-schema.js';
import type { MetricSample, OpsEvent } from '../contracts/index.js';
import type { Scenario } from '../sources/load-scenario.js';
import { DEMO_REMEDIATION } from './demo-remediation.js';

/** mulberry32: a tiny seeded PRNG, so the demo shows the same story every time. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const NAMESPACE = 'shop';
const SERVICES = [
  { name: 'web-frontend', team: 'storefront', tier: 1, depends_on: ['checkout-api', 'catalog-api'] },
  { name: 'checkout-api', team: 'checkout', tier: 1, depends_on: ['payment-api'] },
  { name: 'payment-api', team: 'payments', tier: 1, depends_on: ['bank-gateway'] },
  { name: 'bank-gateway', team: 'payments', tier: 2, depends_on: [] },
  { name: 'catalog-api', team: 'storefront', tier: 2, depends_on: [] },
];

interface Effect {
  service: string;
  metric: string;
  from: number;
  to: number;
  /** Multiplies the normal value while active (ramping in over two minutes). */
  factor: number;
}

/**
 * A small, deterministic scenario for `npm run demo`: eight hours of five services, a payment
 * latency incident that spreads to its callers after a deploy, and an unrelated catalog error burst.
 */
export function generateDemoScenario(start = Date.parse('2026-11-02T00:00:00Z')): Scenario {
  const random = seeded(20261102);
  const stepMs = 60_000;
  const points = 8 * 60;
  const minute = (m: number) => start + m * stepMs;
  const effects: Effect[] = [
    { service: 'payment-api', metric: 'latency_p99', from: minute(300), to: minute(330), factor: 4.5 },
    { service: 'payment-api', metric: 'error_rate', from: minute(302), to: minute(328), factor: 6 },
    { service: 'checkout-api', metric: 'latency_p99', from: minute(302), to: minute(330), factor: 3 },
    { service: 'checkout-api', metric: 'error_rate', from: minute(303), to: minute(329), factor: 5 },
    { service: 'web-frontend', metric: 'error_rate', from: minute(304), to: minute(329), factor: 4 },
    { service: 'catalog-api', metric: 'error_rate', from: minute(400), to: minute(415), factor: 8 },
  ];
  const base: Record<string, { latency_p99: number; error_rate: number; request_rate: number }> = {
    'web-frontend': { latency_p99: 0.32, error_rate: 0.004, request_rate: 420 },
    'checkout-api': { latency_p99: 0.21, error_rate: 0.003, request_rate: 95 },
    'payment-api': { latency_p99: 0.18, error_rate: 0.002, request_rate: 60 },
    'bank-gateway': { latency_p99: 0.12, error_rate: 0.001, request_rate: 58 },
    'catalog-api': { latency_p99: 0.09, error_rate: 0.002, request_rate: 310 },
  };
  const samples: MetricSample[] = [];
  for (let i = 0; i < points; i += 1) {
    const ts = minute(i);
    // Traffic rising gently through the morning.
    const wave = 1 + 0.06 * Math.sin((2 * Math.PI * i) / (24 * 60));
    for (const s of SERVICES) {
      const b = base[s.name] as { latency_p99: number; error_rate: number; request_rate: number };
      const values: Record<string, number> = {
        latency_p99: b.latency_p99 * (1 + 0.04 * gaussian(random)) * (0.95 + 0.05 * wave),
        error_rate: Math.max(0, b.error_rate * (1 + 0.1 * gaussian(random))),
        request_rate: b.request_rate * wave * (1 + 0.02 * gaussian(random)),
      };
      for (const e of effects) {
        if (e.service !== s.name || ts < e.from || ts >= e.to) continue;
        const ramp = Math.min(1, (ts - e.from) / (2 * stepMs) + 0.5);
        values[e.metric] = (values[e.metric] as number) * (1 + (e.factor - 1) * ramp);
      }
      for (const [metric, value] of Object.entries(values)) {
        samples.push({
          timestamp: new Date(ts).toISOString(),
          service: s.name,
          namespace: NAMESPACE,
          metric_name: metric,
          value: Math.round(value * 1e6) / 1e6,
        });
      }
    }
  }
  const events: OpsEvent[] = [
    {
      type: 'deploy',
      service: 'payment-api',
      namespace: NAMESPACE,
      version: 'payment-api 2026.11.02-3',
      timestamp: new Date(minute(294)).toISOString(),
    },
  ];
  return {
    topology: { namespace: NAMESPACE, services: SERVICES.map((s) => ({ ...s, depends_on: [...s.depends_on] })) },
    samples,
    events,
    rejected: [],
  };
}

/** The settings the demo replays with: signal units and directions, runbooks, channels. */
export function demoConfig(): VigilConfig {
  const runbook = (service: string) => [{ title: 'Runbook', url: `https://runbooks.example.com/${service}` }];
  return ConfigSchema.parse({
    prometheus: { url: 'http://prometheus.invalid:9090' },
    teams: {
      storefront: { channel: '#team-storefront' },
      checkout: { channel: '#team-checkout' },
      payments: { channel: '#team-payments' },
    },
    services: SERVICES.map((s) => ({ ...s, namespace: NAMESPACE, runbooks: runbook(s.name) })),
    signals: [
      { name: 'latency_p99', query: 'latency_p99', direction: 'up', unit: 'seconds' },
      { name: 'error_rate', query: 'error_rate', direction: 'up', unit: 'ratio' },
      { name: 'request_rate', query: 'request_rate', direction: 'both', unit: 'per_second' },
    ],
    remediation: DEMO_REMEDIATION,
  });
}
