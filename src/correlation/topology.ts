/** The service dependency graph: who calls whom, and who owns what. */
import { appendAll } from '../collections/append-all.js';

export interface TopologyService {
  name: string;
  namespace: string;
  team: string;
  tier: number;
  depends_on: readonly string[];
}

/** Where an edge came from: `config` (a service's depends_on) or a discovery source such as tempo, istio. */
export type EdgeSource = string;
export const CONFIGURED: EdgeSource = 'config';

/** One call edge, caller → callee, and where it came from. */
export interface TopologyEdge {
  caller: string;
  callee: string;
  /** `config` whenever the edge is configured, also when the service graph sees it too (config wins). */
  source: EdgeSource;
  /** The discovery source that last saw it, when one did (a configured edge may be seen too). */
  seenBy: EdgeSource | null;
  /** When the service graph last saw it (Unix ms); null for an edge only configured. */
  lastSeenMs: number | null;
}

/** An edge read from service-graph metrics (see src/sources/discover-topology.ts). */
export interface DiscoveredEdge {
  caller: string;
  callee: string;
  source: EdgeSource;
  lastSeenMs: number;
}

export interface Topology {
  /** Configured services: owners and tiers. A discovered edge may name services not listed here. */
  services: ReadonlyMap<string, TopologyService>;
  /** callee → its callers */
  callers: ReadonlyMap<string, ReadonlySet<string>>;
  /** caller → its callees: configured depends_on, then discovered edges */
  callees: ReadonlyMap<string, readonly string[]>;
  /** Every edge by edgeKey(caller, callee), with its source. */
  edges: ReadonlyMap<string, TopologyEdge>;
}

/**
 * A topology whose discovered edges can be replaced at run time: every holder of it (correlation,
 * the ops calendar, the shadow challenger, /vigil topology) sees the new edge set at its next read.
 * The swap is one assignment, so a reader never sees half of one set and half of another.
 */
export interface LiveTopology extends Topology {
  replaceDiscovered(edges: readonly DiscoveredEdge[]): void;
}

export function edgeKey(caller: string, callee: string): string {
  return `${caller}\u0000${callee}`;
}

interface TopologySnapshot {
  callers: Map<string, Set<string>>;
  callees: Map<string, string[]>;
  edges: Map<string, TopologyEdge>;
}

/**
 * Configured edges first, then discovered ones. Configured wins: a configured edge is always
 * present and keeps the source `config` (a discovery that sees it only stamps when); a discovered
 * edge adds a call the config does not list. Self-calls are left out: they explain nothing.
 */
function snapshotOf(services: readonly TopologyService[], discovered: readonly DiscoveredEdge[]): TopologySnapshot {
  const callers = new Map<string, Set<string>>();
  const callees = new Map<string, string[]>();
  const edges = new Map<string, TopologyEdge>();
  const add = (edge: TopologyEdge) => {
    edges.set(edgeKey(edge.caller, edge.callee), edge);
    const set = callers.get(edge.callee) ?? new Set<string>();
    set.add(edge.caller);
    callers.set(edge.callee, set);
    const list = callees.get(edge.caller);
    if (list) list.push(edge.callee);
    else callees.set(edge.caller, [edge.callee]);
  };
  for (const s of services)
    for (const dep of s.depends_on)
      if (dep !== s.name && !edges.has(edgeKey(s.name, dep)))
        add({ caller: s.name, callee: dep, source: CONFIGURED, seenBy: null, lastSeenMs: null });
  for (const d of discovered) {
    if (d.caller === d.callee) continue;
    const known = edges.get(edgeKey(d.caller, d.callee));
    if (known) {
      if (known.lastSeenMs === null || d.lastSeenMs > known.lastSeenMs) {
        known.seenBy = d.source;
        known.lastSeenMs = d.lastSeenMs;
      }
      continue;
    }
    add({ caller: d.caller, callee: d.callee, source: d.source, seenBy: d.source, lastSeenMs: d.lastSeenMs });
  }
  return { callers, callees, edges };
}

export function createTopology(
  services: readonly TopologyService[],
  discovered: readonly DiscoveredEdge[] = [],
): LiveTopology {
  const byName = new Map(services.map((s) => [s.name, s]));
  let current = snapshotOf(services, discovered);
  return {
    services: byName,
    get callers() {
      return current.callers;
    },
    get callees() {
      return current.callees;
    },
    get edges() {
      return current.edges;
    },
    replaceDiscovered(edges) {
      current = snapshotOf(services, edges);
    },
  };
}

const NONE: readonly string[] = [];

/** The services `service` calls: configured and discovered. */
export function calleesOf(topology: Topology, service: string): readonly string[] {
  return topology.callees.get(service) ?? NONE;
}

/** The services one call away from `service`, in either direction, and itself. */
export function neighbourhoodOf(topology: Topology, service: string): Set<string> {
  const out = new Set<string>([service]);
  for (const dep of calleesOf(topology, service)) out.add(dep);
  for (const caller of topology.callers.get(service) ?? []) out.add(caller);
  return out;
}

/**
 * True when `caller` reaches `callee` through call edges (a fault in callee can show in caller).
 * `configuredOnly`: through configured depends_on edges alone (whether the config explains it).
 */
export function dependsOnTransitively(
  topology: Topology,
  caller: string,
  callee: string,
  configuredOnly = false,
): boolean {
  const next = (from: string): readonly string[] =>
    configuredOnly
      ? calleesOf(topology, from).filter((c) => topology.edges.get(edgeKey(from, c))?.source === CONFIGURED)
      : calleesOf(topology, from);
  const seen = new Set<string>();
  const stack = [...next(caller)];
  while (stack.length > 0) {
    const at = stack.pop() as string;
    if (at === callee) return true;
    if (seen.has(at)) continue;
    seen.add(at);
    appendAll(stack, next(at));
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
    for (const dep of calleesOf(topology, name)) h = Math.max(h, 1 + visit(dep, path));
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
    const callees = calleesOf(topology, m);
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
      for (const d of calleesOf(topology, s)) {
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
