import { seriesInTimeOrder } from '../detection/series-in-time-order.js';
import { cutSeriesToRange } from '../sources/cut-series-to-range.js';
import type { HistoryChunk } from '../sources/plan-history-chunks.js';
import type { SampleBatch, SampleSource } from '../sources/sample-source.js';
import type { SeriesColumns } from '../sources/series-columns.js';

/** One time chunk of history, every signal of the scope read for it. */
export interface LoadedChunk extends HistoryChunk {
  bySignal: ReadonlyMap<string, SampleBatch>;
}

/**
 * The history a backtest has read and not yet replayed, served to the production cycle as if
 * Prometheus answered its query_range: the cycle asks for the warm-up window first, then from the
 * last point it read onwards, so chunks that end before that point are dropped and memory holds
 * only what the next ticks will read (the warm-up window at the start, then about a chunk).
 */
export interface HistoryWindow {
  source: SampleSource;
  add(chunk: LoadedChunk): void;
  /** Forgets chunks that end at or before this time (every signal has read past them). */
  dropThrough(ms: number): void;
  /** Chunks held now (for tests and the memory bound). */
  size(): number;
}

export function createHistoryWindow(): HistoryWindow {
  let chunks: LoadedChunk[] = [];
  return {
    source: {
      async fetch(signal, range) {
        const series: SeriesColumns[] = [];
        let rejected = 0;
        for (const chunk of chunks) {
          if (chunk.endMs < range.startMs || chunk.startMs > range.endMs) continue;
          const batch = chunk.bySignal.get(signal.name);
          if (!batch) continue;
          // Rejected points are counted once, with the chunk's first range that reads it.
          if (chunk.startMs >= range.startMs) rejected += batch.rejected;
          for (const s of batch.series) {
            const cut = cutSeriesToRange(s, range.startMs, range.endMs);
            if (cut) series.push(cut);
          }
        }
        // A series spanning two chunks is one entry, as in Prometheus' answer: traffic is summed
        // per entry (trafficByService), so two entries of one key would count it twice.
        return { series: seriesInTimeOrder(series), rejected };
      },
    },
    add(chunk) {
      chunks.push(chunk);
    },
    dropThrough(ms) {
      chunks = chunks.filter((c) => c.endMs > ms);
    },
    size: () => chunks.length,
  };
}
