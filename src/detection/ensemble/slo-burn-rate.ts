import { max, min } from 'simple-statistics';
import type { Plan, SingleArray } from './layout.js';
import * as layout from './layout.js';

// What this module uses of the others as constants of its own (see layout.ts: an imported binding
// costs at every use).
const { B_N, B_START, M_SIGMA, M_STAT, PER_MEMBER, PREVIOUS } = layout;

/**
 * The SLO burn rate, for an error-ratio signal with an SLO objective (e.g. 0.999): burn rate =
 * error ratio / error budget, averaged over a long and a short window; a pair fires when both
 * windows burn at least its factor (the short window makes it stop soon after the errors do).
 * Statistic = the strongest pair's min(long, short) / factor, so ≥ 1 means "page". Running sums
 * over one ring (of the longest window) in the series' array, of single-precision ratios (see
 * SingleArray): O(1) per point.
 */

export interface BurnRateWindow {
  longSeconds: number;
  shortSeconds: number;
  /** Burn-rate factor both windows must reach, e.g. 14.4 (2% of a 30-day budget in 1 h). */
  factor: number;
}

export interface SloBurnRateState {
  values: number[];
  sums?: number[];
}

/** The burn rate's part of the plan: windows in points (long, short, long, short...), none without an SLO. */
export function burnRatePlan(options: {
  stepMs: number;
  slo?: { objective: number; windows: readonly BurnRateWindow[] };
}): Pick<Plan, 'budget' | 'sloLengths' | 'sloFactors' | 'sloCapacity' | 'sloReadyAt'> {
  const slo = options.slo;
  const sloLengths = slo
    ? slo.windows
        .flatMap((w) => [w.longSeconds, w.shortSeconds])
        .map((s) => Math.max(1, Math.round((s * 1000) / options.stepMs)))
    : [];
  return {
    budget: slo ? 1 - slo.objective : 0,
    sloLengths,
    sloFactors: slo ? slo.windows.map((w) => w.factor) : [],
    sloCapacity: slo ? max(sloLengths) : 0,
    sloReadyAt: slo ? min(sloLengths.filter((_, i) => i % 2 === 0)) : 0,
  };
}

/** Where the burn rate's ring takes the next point: burnPush's place for it. */
export function sloWriteAt(b: Float64Array, p: Plan): number {
  if (p.sloIndex < 0) return 0;
  const start = (b[B_START] as number) | 0;
  const n = (b[B_N] as number) | 0;
  if (n === p.sloCapacity) return start;
  return start + n >= p.sloCapacity ? start + n - p.sloCapacity : start + n;
}

/**
 * The burn rate: learns the point, then reads the windows; true when ready. `ring` from `ringAt`:
 * the series' ring (see Plan.sloRingAt).
 */
export function readBurnRate(b: Float64Array, p: Plan, ring: SingleArray, ringAt: number): boolean {
  burnPush(b, p, ring, ringAt);
  const n = (b[B_N] as number) | 0;
  const budget = p.budget;
  let strongest = 0;
  let upper = Number.POSITIVE_INFINITY;
  for (let i = 0; i < p.sloFactors.length; i += 1) {
    const factor = p.sloFactors[i] as number;
    const longLen = p.sloLengths[2 * i] as number;
    const shortLen = p.sloLengths[2 * i + 1] as number;
    const longBurn = (b[p.sloSumsAt + 2 * i] as number) / Math.min(n, longLen) / budget;
    const shortBurn = (b[p.sloSumsAt + 2 * i + 1] as number) / Math.min(n, shortLen) / budget;
    strongest = Math.max(strongest, Math.min(longBurn, shortBurn) / factor);
    upper = Math.min(upper, budget * factor);
  }
  const m = p.memberAt + p.sloIndex * PER_MEMBER;
  b[m + M_STAT] = strongest;
  b[m + M_SIGMA] = upper;
  return n >= p.sloReadyAt;
}

/** Learns the point: into the ring and each window's running sum. */
function burnPush(b: Float64Array, p: Plan, ring: SingleArray, ringAt: number): void {
  // As the ring keeps it: the sums add what they will take away when the point leaves.
  const value = Math.fround(b[PREVIOUS] as number);
  const capacity = p.sloCapacity;
  const start = (b[B_START] as number) | 0;
  const n = (b[B_N] as number) | 0;
  for (let k = 0; k < p.sloLengths.length; k += 1) {
    const len = p.sloLengths[k] as number;
    const at = p.sloSumsAt + k;
    // Indices below twice the capacity: a subtraction rather than % (an integer division).
    const leaving = start + n - len;
    if (n >= len)
      b[at] = (b[at] as number) - (ring[ringAt + (leaving >= capacity ? leaving - capacity : leaving)] as number);
    b[at] = (b[at] as number) + value;
  }
  if (n === capacity) {
    ring[ringAt + start] = value;
    b[B_START] = start + 1 === capacity ? 0 : start + 1;
  } else {
    ring[ringAt + (start + n >= capacity ? start + n - capacity : start + n)] = value;
    b[B_N] = n + 1;
  }
}
