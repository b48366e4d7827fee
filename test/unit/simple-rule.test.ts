import { describe, expect, it } from 'vitest';
import { runSimpleRule, SIMPLE_RULE } from '../../src/benchmark/simple-rule.js';
import type { MetricSample, OpsEvent } from '../../src/contracts/index.js';

const START = Date.parse('2026-05-01T00:00:00.000Z');
const MINUTE = 60_000;
/** A minute of the second day: the first is history only. */
const DAY2 = SIMPLE_RULE.historyMinutes + 120;
const at = (minute: number) => new Date(START + minute * MINUTE).toISOString();
const topology = {
  services: [
    { name: 'api', depends_on: ['db'] },
    { name: 'db', depends_on: [] },
    { name: 'quiet', depends_on: [] },
  ],
};
const NORMAL: Record<string, Record<string, number>> = {
  api: { latency_p99: 0.1, error_rate: 0.001, request_rate: 100, cpu_usage: 0.3 },
  db: { latency_p99: 0.01, error_rate: 0, request_rate: 300, cpu_usage: 0.4 },
  // Under the 20 req/s floor: its p99 rests on a handful of requests.
  quiet: { latency_p99: 0.2, error_rate: 0, request_rate: 5, cpu_usage: 0.1 },
};

interface Deviation {
  service: string;
  metric: string;
  from: number;
  minutes: number;
  value: number;
}

/** A day and five hours of flat one-minute series, with the given deviations written over them. */
function samplesWith(deviations: readonly Deviation[]): MetricSample[] {
  const out: MetricSample[] = [];
  for (let m = 0; m < SIMPLE_RULE.historyMinutes + 300; m += 1) {
    for (const [service, metrics] of Object.entries(NORMAL)) {
      for (const [metric_name, normal] of Object.entries(metrics)) {
        const d = deviations.find(
          (x) => x.service === service && x.metric === metric_name && m >= x.from && m < x.from + x.minutes,
        );
        out.push({ timestamp: at(m), service, namespace: 'shop', metric_name, value: d ? d.value : normal });
      }
    }
  }
  return out;
}

describe('runSimpleRule', () => {
  it('a deviation of 2× or more held for 5 minutes pages once, on its fifth minute', () => {
    const samples = samplesWith([{ service: 'api', metric: 'latency_p99', from: DAY2, minutes: 20, value: 0.25 }]);
    expect(runSimpleRule({ topology, samples, events: [] })).toEqual([
      { id: 'simple-1', created_at: at(DAY2 + 4), services: ['api'], probable_starting_service: 'api' },
    ]);
  });

  it('a 3-minute blip does not page', () => {
    const samples = samplesWith([{ service: 'api', metric: 'cpu_usage', from: DAY2, minutes: 3, value: 0.9 }]);
    expect(runSimpleRule({ topology, samples, events: [] })).toEqual([]);
  });

  it("a quiet service's latency does not page, however far it moves", () => {
    const samples = samplesWith([{ service: 'quiet', metric: 'latency_p99', from: DAY2, minutes: 30, value: 2 }]);
    expect(runSimpleRule({ topology, samples, events: [] })).toEqual([]);
  });

  it('a deviation inside the service’s maintenance window does not page; the same one outside does', () => {
    const samples = samplesWith([{ service: 'db', metric: 'cpu_usage', from: DAY2, minutes: 20, value: 0.95 }]);
    const maintenance: OpsEvent = {
      type: 'maintenance',
      service: 'db',
      namespace: 'shop',
      starts_at: at(DAY2 - 5),
      ends_at: at(DAY2 + 25),
      reason: 'vacuum',
    };
    expect(runSimpleRule({ topology, samples, events: [maintenance] })).toEqual([]);
    expect(runSimpleRule({ topology, samples, events: [] })).toHaveLength(1);
  });

  it('an error ratio must also rise by half a percentage point', () => {
    // 0.1 % → 0.3 % is 3× but only +0.2 points; 0.1 % → 1 % pages.
    const small = samplesWith([{ service: 'api', metric: 'error_rate', from: DAY2, minutes: 20, value: 0.003 }]);
    const large = samplesWith([{ service: 'api', metric: 'error_rate', from: DAY2, minutes: 20, value: 0.01 }]);
    expect(runSimpleRule({ topology, samples: small, events: [] })).toEqual([]);
    expect(runSimpleRule({ topology, samples: large, events: [] })).toHaveLength(1);
  });

  it('nothing pages on the first day, which is history', () => {
    const samples = samplesWith([{ service: 'api', metric: 'latency_p99', from: 600, minutes: 20, value: 0.5 }]);
    expect(runSimpleRule({ topology, samples, events: [] })).toEqual([]);
  });

  it('a service pages again only after 30 minutes of normal', () => {
    const samples = samplesWith([
      { service: 'api', metric: 'latency_p99', from: DAY2, minutes: 10, value: 0.3 },
      // 20 normal minutes: the same episode.
      { service: 'api', metric: 'latency_p99', from: DAY2 + 30, minutes: 10, value: 0.3 },
      // 40 normal minutes: a new one.
      { service: 'api', metric: 'latency_p99', from: DAY2 + 80, minutes: 10, value: 0.3 },
    ]);
    expect(runSimpleRule({ topology, samples, events: [] }).map((p) => p.created_at)).toEqual([
      at(DAY2 + 4),
      at(DAY2 + 84),
    ]);
  });

  it('neighbours paging within 10 minutes are one page, started at the callee', () => {
    const samples = samplesWith([
      { service: 'api', metric: 'latency_p99', from: DAY2, minutes: 20, value: 0.5 },
      { service: 'db', metric: 'cpu_usage', from: DAY2 + 2, minutes: 20, value: 0.95 },
    ]);
    expect(runSimpleRule({ topology, samples, events: [] })).toEqual([
      { id: 'simple-1', created_at: at(DAY2 + 4), services: ['api', 'db'], probable_starting_service: 'db' },
    ]);
  });
});
