/** The service dependency graph: who calls whom, and who owns what. */
export interface TopologyService {
  name: string;
  namespace: string;
  team: string;
  tier: number;
  depends_on: readonly string[];
}

export interface Topology {
  services: ReadonlyMap<string, TopologyService>;
  /** callee → its callers */
  callers: ReadonlyMap<string, ReadonlySet<string>>;
}

export function createTopology(services: readonly TopologyService[]): Topology {
  const byName = new Map(services.map((s) => [s.name, s]));
  const callers = new Map<string, Set<string>>();
  for (const s of services) {
    for (const dep of s.depends_on) {
      const set = callers.get(dep) ?? new Set<string>();
      set.add(s.name);
      callers.set(dep, set);
    }
  }
  return { services: byName, callers };
}

/** The services one call away from `service`, in either direction, and itself. */
export function neighbourhoodOf(topology: Topology, service: string): Set<string> {
  const out = new Set<string>([service]);
  for (const dep of topology.services.get(service)?.depends_on ?? []) out.add(dep);
  for (const caller of topology.callers.get(service) ?? []) out.add(caller);
  return out;
}

/** True when `caller` reaches `callee` through depends_on edges (a fault in callee can show in caller). */
export function dependsOnTransitively(topology: Topology, caller: string, callee: string): boolean {
  const seen = new Set<string>();
  const stack = [...(topology.services.get(caller)?.depends_on ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (next === callee) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(topology.services.get(next)?.depends_on ?? []));
  }
  return false;
}
