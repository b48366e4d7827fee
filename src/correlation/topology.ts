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

/**
 * Whether a new anomaly of `service` belongs to a story made of `members`, at most `hops` calls
 * away, in the direction faults travel: `service` calls a member (a member's fault shows in its
 * callers), or a member calls `service` and none of the member's own callees is in the story (an
 * unexplained member may be suffering from `service`; one already explained by a callee in the
 * story is not, so a gateway drawn in by one outage does not pull in a second outage in another of
 * its callees). The path never turns: two services that merely share a caller or a callee are not
 * connected.
 */
export function storyReaches(topology: Topology, members: ReadonlySet<string>, service: string, hops: number): boolean {
  if (members.has(service)) return true;
  if (hops <= 0) return false;
  // Upwards: the services `service` reaches through depends_on.
  if (reachesWithin(topology, service, hops, (s) => members.has(s))) return true;
  // Downwards: from each unexplained member.
  for (const m of members) {
    const callees = topology.services.get(m)?.depends_on ?? [];
    if (callees.some((c) => members.has(c))) continue;
    if (reachesWithin(topology, m, hops, (s) => s === service)) return true;
  }
  return false;
}

/** Whether a service at most `hops` depends_on edges below `from` satisfies `hit`. */
function reachesWithin(topology: Topology, from: string, hops: number, hit: (s: string) => boolean): boolean {
  let frontier = [from];
  const seen = new Set([from]);
  for (let i = 0; i < hops && frontier.length > 0; i += 1) {
    const next: string[] = [];
    for (const s of frontier)
      for (const d of topology.services.get(s)?.depends_on ?? []) {
        if (hit(d)) return true;
        if (!seen.has(d)) {
          seen.add(d);
          next.push(d);
        }
      }
    frontier = next;
  }
  return false;
}
