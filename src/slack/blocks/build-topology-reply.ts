import { compareText } from '../../collections/compare-text.js';
import { CONFIGURED, type TopologyEdge } from '../../correlation/topology.js';
import type { Block, SlackMessage } from './block-kit-limits.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

/** Neighbours listed per direction: a gateway may call hundreds; the counts say how many there are. */
export const NEIGHBOURS_SHOWN = 25;
/** Busiest services listed in the overview. */
export const BUSIEST_SHOWN = 10;
/** Section text limit (Block Kit: 3000 characters), with room for the ellipsis. */
const SECTION_MAX = 2900;

export interface ServiceTopologyInput {
  service: string;
  /** Edges into the service (its callers), by caller name. */
  callers: readonly TopologyEdge[];
  /** Edges out of the service (its callees), by callee name. */
  callees: readonly TopologyEdge[];
  now: Date;
}

export interface TopologyOverviewInput {
  edges: number;
  services: number;
  /** Edges by source: config, tempo, istio… */
  bySource: ReadonlyArray<readonly [string, number]>;
  busiest: ReadonlyArray<{ service: string; callers: number; callees: number }>;
  /** Whether a service graph is read (topology_discovery.enabled), and which. */
  discovery: string | null;
}

function ago(ms: number, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - ms) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** Where an edge came from, and when the service graph last saw it. */
export function edgeOrigin(edge: TopologyEdge, now: Date): string {
  const seen = edge.lastSeenMs !== null && edge.seenBy ? `${edge.seenBy}, seen ${ago(edge.lastSeenMs, now)}` : null;
  if (edge.source === CONFIGURED) return seen ? `config (also ${seen})` : 'config';
  return seen ?? escapeMrkdwn(edge.source);
}

function neighbourLines(edges: readonly TopologyEdge[], name: (e: TopologyEdge) => string, now: Date): string {
  if (edges.length === 0) return '_none known_';
  const sorted = [...edges].sort((a, b) => compareText(name(a), name(b)));
  const lines = sorted.slice(0, NEIGHBOURS_SHOWN).map((e) => `• \`${escapeMrkdwn(name(e))}\` — ${edgeOrigin(e, now)}`);
  if (sorted.length > NEIGHBOURS_SHOWN) lines.push(`…and ${sorted.length - NEIGHBOURS_SHOWN} more`);
  return lines.join('\n');
}

/** `/vigil topology <service>`: who calls it, whom it calls, and where each edge came from. */
export function buildServiceTopologyReply(input: ServiceTopologyInput): SlackMessage {
  const name = escapeMrkdwn(input.service);
  if (input.callers.length === 0 && input.callees.length === 0) {
    const text = `No calls to or from \`${name}\` are known: not in depends_on, not in the service graph.`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const head = `*Topology of \`${name}\`*: ${input.callers.length} caller${input.callers.length === 1 ? '' : 's'}, ${input.callees.length} callee${input.callees.length === 1 ? '' : 's'}`;
  const callers = `*Callers* (a fault in \`${name}\` shows in them)\n${neighbourLines(input.callers, (e) => e.caller, input.now)}`;
  const callees = `*Callees* (their faults show in \`${name}\`)\n${neighbourLines(input.callees, (e) => e.callee, input.now)}`;
  const blocks: Block[] = [head, callers, callees].map((text) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(text, SECTION_MAX) },
  }));
  return { text: `Topology of ${input.service}`, blocks };
}

/** `/vigil topology`: how many edges from where, and the services with most neighbours. */
export function buildTopologyOverviewReply(input: TopologyOverviewInput): SlackMessage {
  const sources = input.bySource.map(([s, n]) => `${escapeMrkdwn(s)} ${n}`).join(', ') || 'none';
  const discovery = input.discovery
    ? `Service graph read from \`${escapeMrkdwn(input.discovery)}\`.`
    : 'No service graph is read (topology_discovery is off): configured depends_on only.';
  const head = `*Topology*: ${input.edges} call edge${input.edges === 1 ? '' : 's'} between ${input.services} service${input.services === 1 ? '' : 's'} (${sources}). ${discovery}`;
  const busiest =
    input.busiest.length === 0
      ? '_No edges known._'
      : `*Busiest services*\n${input.busiest
          .map(
            (b) =>
              `• \`${escapeMrkdwn(b.service)}\` — ${b.callers} caller${b.callers === 1 ? '' : 's'}, ${b.callees} callee${b.callees === 1 ? '' : 's'}`,
          )
          .join('\n')}`;
  const hint = 'Use `/vigil topology <service>` for its callers and callees.';
  const blocks: Block[] = [head, busiest].map((text) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(text, SECTION_MAX) },
  }));
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: hint }] });
  return { text: `Topology: ${input.edges} call edges`, blocks };
}
