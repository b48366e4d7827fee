import { z } from 'zod';
import { compareText } from '../../../collections/compare-text.js';
import { calleesOf, edgeKey, type Topology, type TopologyEdge } from '../../../correlation/topology.js';
import type { SlackMessage } from '../../blocks/block-kit-limits.js';
import { buildUsageReply } from '../../blocks/build-command-replies.js';
import {
  BUSIEST_SHOWN,
  buildServiceTopologyReply,
  buildTopologyOverviewReply,
} from '../../blocks/build-topology-reply.js';

export const TOPOLOGY_USAGE = '`topology` takes at most a service name: `/vigil topology [service]`';

const ArgsSchema = z.union([
  z.tuple([]).transform(() => ({ service: null })),
  z.tuple([z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$/)]).transform(([service]) => ({ service })),
]);

/**
 * `/vigil topology [service]`: a service's callers and callees with the source of each edge
 * (config, or the service graph that saw it and when), or, without one, the edge counts by source
 * and the busiest services. Reads the in-memory graph the last refresh built: no query is made.
 */
export function answerTopologyCommand(
  args: readonly string[],
  topology: Topology | undefined,
  discovery: string | null,
  now: Date,
): SlackMessage {
  const parsed = ArgsSchema.safeParse(args);
  if (!parsed.success) return buildUsageReply(TOPOLOGY_USAGE);
  if (!topology) return buildUsageReply('The topology is not loaded yet; try again in a moment.');
  const { service } = parsed.data;
  if (service) {
    const callees = calleesOf(topology, service).map((c) => topology.edges.get(edgeKey(service, c)) as TopologyEdge);
    const callers = [...(topology.callers.get(service) ?? [])].map(
      (c) => topology.edges.get(edgeKey(c, service)) as TopologyEdge,
    );
    return buildServiceTopologyReply({ service, callers, callees, now });
  }
  const bySource = new Map<string, number>();
  for (const edge of topology.edges.values()) bySource.set(edge.source, (bySource.get(edge.source) ?? 0) + 1);
  const services = new Set<string>([...topology.callers.keys(), ...topology.callees.keys()]);
  const degree = (s: string) => (topology.callers.get(s)?.size ?? 0) + calleesOf(topology, s).length;
  // A bounded selection, not a sort of every service: the busiest few of possibly thousands.
  const busiest: string[] = [];
  for (const s of services) {
    if (busiest.length < BUSIEST_SHOWN) busiest.push(s);
    else if (degree(s) > degree(busiest[busiest.length - 1] as string)) busiest[busiest.length - 1] = s;
    else continue;
    busiest.sort((a, b) => degree(b) - degree(a) || compareText(a, b));
  }
  return buildTopologyOverviewReply({
    edges: topology.edges.size,
    services: services.size,
    bySource: [...bySource].sort((a, b) => b[1] - a[1]),
    busiest: busiest.map((s) => ({
      service: s,
      callers: topology.callers.get(s)?.size ?? 0,
      callees: calleesOf(topology, s).length,
    })),
    discovery,
  });
}
