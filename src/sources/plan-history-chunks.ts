/** A time range of a history read, inclusive, aligned to the step. */
export interface HistoryChunk {
  startMs: number;
  endMs: number;
}

/**
 * Splits [startMs, endMs] into consecutive ranges so that one answer holds at most `maxPoints`
 * points for `seriesCount` series: whatever the history length or the number of series, no single
 * response (and no single parse) grows past a bounded size, and a slow backend answers each part
 * within its timeout.
 */
export function planHistoryChunks(
  startMs: number,
  endMs: number,
  stepMs: number,
  seriesCount: number,
  maxPoints: number,
): HistoryChunk[] {
  const stepsPerChunk = Math.max(1, Math.floor(maxPoints / Math.max(1, seriesCount)));
  const chunks: HistoryChunk[] = [];
  for (let start = startMs; start <= endMs; start += stepsPerChunk * stepMs) {
    chunks.push({ startMs: start, endMs: Math.min(endMs, start + (stepsPerChunk - 1) * stepMs) });
  }
  return chunks;
}
