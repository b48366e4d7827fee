import { ConfigSchema, type SignalConfig, type VigilConfig } from '../config/config-schema.js';
import type { ScenarioTopology } from '../sources/load-scenario.js';

export interface ScenarioConfigOptions {
  /** Settings to keep from a config file: detection, correlation, and signal directions/units by name. */
  base?: VigilConfig;
  stepSeconds: number;
  /**
   * false: no `services:` at all (no depends_on, no configured team): services are discovered from
   * the series, owners from their labels and edges from the service graph, as the base's
   * `discovery`, `ownership` and `topology_discovery` say. True by default.
   */
  listServices?: boolean;
}

/**
 * The configuration a replay runs with: services and teams from the scenario's topology, one
 * signal per recorded metric, and detection/correlation settings from the base config (or defaults).
 * Teams keep their channels either way: `teams:` is where a team's cards go, not who owns what.
 */
export function configForScenario(
  topology: ScenarioTopology,
  metricNames: readonly string[],
  options: ScenarioConfigOptions,
): VigilConfig {
  const base = options.base;
  const baseServices = new Map((base?.services ?? []).map((s) => [s.name, s]));
  const baseSignals = new Map((base?.signals ?? []).map((s) => [s.name, s]));
  const teams = Object.fromEntries(
    [...new Set(topology.services.map((s) => s.team))].map((team) => [
      team,
      base?.teams[team] ?? { channel: `#team-${team.toLowerCase().replace(/[^a-z0-9_-]/g, '-')}` },
    ]),
  );
  const signals: Array<Partial<SignalConfig>> = metricNames.map(
    (name) => baseSignals.get(name) ?? { name, query: name, service_label: 'service' },
  );
  return ConfigSchema.parse({
    prometheus: { url: 'http://replay.invalid', step_seconds: options.stepSeconds },
    slack: { ...base?.slack },
    teams,
    services: (options.listServices === false ? [] : topology.services).map((s) => ({
      name: s.name,
      namespace: topology.namespace,
      team: s.team,
      tier: s.tier ?? baseServices.get(s.name)?.tier ?? 2,
      depends_on: s.depends_on,
      runbooks: baseServices.get(s.name)?.runbooks ?? [],
    })),
    signals,
    ...(base
      ? {
          detection: base.detection,
          correlation: base.correlation,
          remediation: base.remediation,
          discovery: base.discovery,
          ownership: base.ownership,
          topology_discovery: base.topology_discovery,
        }
      : {}),
  });
}
