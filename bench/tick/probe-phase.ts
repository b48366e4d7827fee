/**
 * What one phase costs the process it runs in: peak RSS and the longest event-loop block.
 * RSS is sampled every 50 ms; a block stops the sampler too, so the kernel's own high-water mark
 * (resourceUsage().maxRSS, for the whole process life) is read as well: if it rose during the
 * phase, the phase reached it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface PhaseCost {
  peakRssBytes: number;
  longestBlockMs: number;
  /** process.memoryUsage() at the sample where RSS peaked: where the peak's bytes were. */
  atPeak: NodeJS.MemoryUsage;
}

/**
 * resolution 10 ms: a timer every 10 ms, its lateness recorded; the max is the longest block. One for
 * every phase, reset at each (phases do not overlap): a histogram is ~360 KB of native memory, and
 * one per phase, kept until collected, was the bench's own memory counted in the RSS of the bot's.
 */
const delay = monitorEventLoopDelay({ resolution: 10 });

export function probePhase(): { stop(): PhaseCost } {
  const maxRssBefore = process.resourceUsage().maxRSS * 1024;
  let atPeak = process.memoryUsage();
  let peak = atPeak.rss;
  // process.memoryUsage() walks V8's heap spaces (~0.3 ms on this thread, the one that acks Slack,
  // 20 times a second): the RSS alone is read each time, the breakdown only at a new peak.
  const sample = () => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) {
      peak = rss;
      atPeak = process.memoryUsage();
    }
  };
  const sampler = setInterval(sample, 50);
  delay.reset();
  delay.enable();
  return {
    stop() {
      clearInterval(sampler);
      delay.disable();
      sample();
      const maxRssAfter = process.resourceUsage().maxRSS * 1024;
      if (maxRssAfter > maxRssBefore) peak = Math.max(peak, maxRssAfter);
      return { peakRssBytes: peak, longestBlockMs: delay.max / 1e6, atPeak };
    },
  };
}
