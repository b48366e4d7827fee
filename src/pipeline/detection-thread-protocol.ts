import type { VigilConfig } from '../config/config-schema.js';
import type { OpsEvent } from '../contracts/index.js';
import type { DiscoveredEdge } from '../correlation/topology.js';
import type { SilenceChange } from '../silences/silence.js';
import type { LogLineMessage } from '../threads/forward-worker-logs.js';

/** What the detection thread is started with (structured-cloned into it). */
export interface DetectionThreadData {
  config: VigilConfig;
  dbPath: string;
  /** Where secrets named in the config (backend auth) are read. */
  secretEnv: Record<string, string | undefined>;
  logLevel: string;
  persistState: boolean;
  /** Module URLs imported in the thread before it starts (a benchmark's instrumentation). */
  preload: string[];
}

/** A call into the thread; each is answered by one ReplyMessage with its id. */
export type CallMessage =
  | { id: number; op: 'detect'; nowMs: number }
  | { id: number; op: 'recalibrate'; nowMs: number }
  | { id: number; op: 'saveForStop'; nowMs: number }
  | { id: number; op: 'suppression'; service: string; namespace: string; atMs: number }
  | { id: number; op: 'close' };

/** Told, not asked: nothing comes back. */
export interface OpsEventMessage {
  op: 'addOpsEvent';
  event: OpsEvent;
}

/** A silence or maintenance declared from Slack was stored or removed (told, not asked). */
export interface SilenceChangedMessage {
  op: 'silenceChanged';
  change: SilenceChange;
}

/** Alertmanager alerts were stored: the next cycle reads them (told, not asked). */
export interface AlertsArrivedMessage {
  op: 'alertsArrived';
}

/** A new edge set read from the service graph: replaces the last one (told, not asked). */
export interface DiscoveredEdgesMessage {
  op: 'setDiscoveredEdges';
  edges: DiscoveredEdge[];
}

export type ToThread =
  | CallMessage
  | OpsEventMessage
  | SilenceChangedMessage
  | AlertsArrivedMessage
  | DiscoveredEdgesMessage;

export type FromThread =
  | { type: 'ready'; seriesTracked: number }
  | { type: 'reply'; id: number; ok: true; value: unknown; seriesTracked: number }
  | { type: 'reply'; id: number; ok: false; error: string; seriesTracked: number }
  | LogLineMessage;
