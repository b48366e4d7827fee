/** The service dependency graph: who calls whom, and who owns what. */
import { appendAll } from '../collections/append-all.js';

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
    appendAll(stack, topology.services.get(next)?.depends_on ?? []);
  }
  return false;
}

/** Longest chain of dependencies below a service: 0 for a leaf, higher for callers of callers. */
export function heightOf(topology: Topology, service: string): number {
  const memo = new Map<string, number>();
  const visit = (name: string, path: Set<string>): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    if (path.has(name)) return 0; // a cycle in depends_on: stop rather than loop
    path.add(name);
    let h = 0;
    for (const dep of topology.services.get(name)?.depends_on ?? []) h = Math.max(h, 1 + visit(dep, path));
    path.delete(name);
    memo.set(name, h);
    return h;
  };
  return visit(service, new Set());
}

/** Services at most `hops` calls away from `service`, in either direction (itself included). */
export function withinHops(topology: Topology, service: string, hops: number): Set<string> {
  let frontier = new Set([service]);
  const seen = new Set([service]);
  for (let i = 0; i < hops; i += 1) {
    const next = new Set<string>();
    for (const s of frontier) for (const n of neighbourhoodOf(topology, s)) if (!seen.has(n)) next.add(n);
    for (const n of next) seen.add(n);
    frontier = next;
  }
  return seen;
}
