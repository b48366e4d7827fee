/**
 * Issue 17's target on a small scenario: replayed with no `services:` (the call graph only as
 * service-graph counters in a real Prometheus, owners only as a `team` label on the series), it
 * pages exactly as with everything configured; without the graph, the same outage splits.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { discoveredBase, replayDiscovered, withTeamLabels } from '../../bench/discovered/replay-discovered.js';
import { type ScenarioTruth, scoreScenario } from '../../src/benchmark/score-scenarios.js';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { generateDemoScenario } from '../../src/demo/generate-demo-scenario.js';
import { createSilentLogger } from '../../src/logger.js';
import { type ReplayResult, runReplay } from '../../src/replay/run-replay.js';
import type { Scenario } from '../../src/sources/load-scenario.js';

const base = loadConfig({
  VIGIL_CONFIG: fileURLToPath(new URL('../../bench/scenarios.vigil.yaml', import.meta.url)),
}).config;
const logger = createSilentLogger();

/** The demo's eight hours, without tiers: like the scenario folders, nothing a graph cannot tell. */
function scenarioOf(): Scenario {
  const demo = generateDemoScenario();
  return {
    ...demo,
    topology: { ...demo.topology, services: demo.topology.services.map(({ tier: _tier, ...s }) => s) },
  };
}
const at = (minute: number) => new Date(Date.parse('2026-11-02T00:00:00Z') + minute * 60_000).toISOString();
/** What generateDemoScenario injects: payment latency spreading to its callers, then a catalog error burst. */
const truth: ScenarioTruth = {
  incidents: [
    {
      id: 'payment',
      kind: 'latency',
      root_service: 'payment-api',
      affected_services: ['payment-api', 'checkout-api', 'web-frontend'],
      onset: at(300),
      end: at(330),
    },
    {
      id: 'catalog',
      kind: 'errors',
      root_service: 'catalog-api',
      affected_services: ['catalog-api'],
      onset: at(400),
      end: at(415),
    },
  ],
  decoys: { maintenance: [] },
};

const pagesOf = (result: ReplayResult) =>
  result.incidents
    .filter((i) => i.paged)
    .map(({ created_at, services, probable_starting_service, team, channel }) => ({
      created_at,
      services,
      probable_starting_service,
      team,
      channel,
    }));

describe('a replay with services, owners and edges discovered', () => {
  const open: ReplayResult[] = [];
  afterEach(() => {
    for (const r of open.splice(0)) r.db.close();
  });

  it('pages as the configured replay does: same found, pages, start, owners', async () => {
    const scenario = scenarioOf();
    const configured = await runReplay({ scenario, base, logger });
    open.push(configured);
    const discovered = await replayDiscovered({ scenario, base, logger });
    open.push(discovered.result);

    // The graph the first read found, before the first cycle: topology.json's four edges.
    expect(discovered.configuredEdges).toBe(4);
    expect(discovered.discoveredEdges).toBe(4);
    expect(discovered.missing).toEqual([]);
    expect(discovered.extra).toEqual([]);
    expect(discovered.result.pipeline.topology.services.size).toBe(0);

    const want = scoreScenario(
      truth,
      configured.incidents.filter((i) => i.paged),
    );
    const got = scoreScenario(
      truth,
      discovered.result.incidents.filter((i) => i.paged),
    );
    expect(want).toMatchObject({ trueIncidents: 2, detected: 2, pages: 2, startRight: 2, duplicates: 0 });
    expect(got).toEqual(want);
    // Owners from the team label route each card where the configured team did.
    expect(pagesOf(discovered.result)).toEqual(pagesOf(configured));
    expect(pagesOf(discovered.result).map((p) => p.channel)).toEqual(['#team-payments', '#team-storefront']);
  }, 30_000);

  it('without the service graph the payment outage is three pages, not one', async () => {
    const scenario = scenarioOf();
    const result = await runReplay({
      scenario: { ...scenario, samples: withTeamLabels(scenario) },
      base: ConfigSchema.parse({ ...discoveredBase(base), topology_discovery: { enabled: false } }),
      listServices: false,
      logger,
    });
    open.push(result);
    const score = scoreScenario(
      truth,
      result.incidents.filter((i) => i.paged),
    );
    expect(result.serviceGraph).toBeNull();
    expect(score).toMatchObject({ detected: 2, pages: 4, duplicates: 2 });
  }, 30_000);
});
