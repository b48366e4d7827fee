import type { Plan, SingleArray, SlotArray } from './layout.js';
import * as layout from './layout.js';
import * as recentWindow from './recent-window.js';

// What this module uses of the others as constants of its own (see layout.ts: an imported binding
// costs at every use).
const { M_EXP, M_LO, M_N, M_SIGMA, M_STAT, MAD, MAD_VALUE, MEDIAN_VALUE, PER_MEMBER, PREVIOUS, SCALE, handed } = layout;
const { madOf } = recentWindow;

/** What SeriesDetector.state() shows of it. */
export interface RobustMadState {
  /** Window values in arrival order. */
  values: number[];
}

/** Scales the MAD to the standard deviation of a normal distribution (1 / Φ⁻¹(3/4)). */
const MAD_TO_SIGMA = 1.4826;

/**
 * The robust MAD: distance from the rolling median in robust sigmas (1.4826 × MAD), so one outlier
 * in the window does not blind it to the next. The window is the shared sorted window (see
 * recent-window.ts; its region from `at` in `slots`, the ring it points into from `ring` in `f`):
 * median and MAD in O(log window).
 */
export function readMad(b: Float64Array, p: Plan, f: SingleArray, ring: number, slots: SlotArray, at: number): boolean {
  const value = b[PREVIOUS] as number;
  const mN = (b[M_N] as number) | 0;
  if (mN < p.minPoints) return false;
  const scale = b[SCALE] as number;
  madOf(b, f, ring, slots, at + ((b[M_LO] as number) | 0), mN);
  const med = handed[MEDIAN_VALUE] as number;
  const mad = handed[MAD_VALUE] as number;
  const sigma = Math.max(MAD_TO_SIGMA * mad, Math.abs(med) * 0.01, scale, 1e-9);
  const m = p.memberAt + MAD * PER_MEMBER;
  b[m + M_STAT] = (value - med) / sigma;
  b[m + M_EXP] = med;
  b[m + M_SIGMA] = sigma;
  return true;
}
