import type { DetectionConfig } from '../config/config-schema.js';

/**
 * How far back a cycle reads when it has read nothing yet (at start-up): a full baseline window,
 * plus the freshness margin of late points. It is also how far back a restart replays points, so
 * it bounds how old saved detector state may be (see checkpointIntervalMs).
 */
export function warmupWindowMs(
  detection: Pick<DetectionConfig, 'window_points' | 'fresh_seconds'>,
  stepSeconds: number,
) {
  return detection.window_points * stepSeconds * 1000 + detection.fresh_seconds * 1000;
}
