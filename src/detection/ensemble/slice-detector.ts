import type { DetectorName } from '../../contracts/index.js';
import * as layout from './layout.js';

// What this module uses of the others as constants of its own (see layout.ts: an imported binding
// costs at every use).
const { PREVIOUS, SCALE } = layout;

/**
 * Where a slice detector finds, in the series' array, the point being scored and the series'
 * typical point-to-point change. No double crosses a call on the hot path: V8 would box it on the
 * heap at every call it does not inline.
 */
export const POINT_VALUE = PREVIOUS;
export const POINT_SCALE = SCALE;

/**
 * A detector written once, for the hot path: its state is a slice of the series' one array (`b`
 * from `at`, `doubles` long, zeros before `start`), and it reads and learns a point with plain
 * arithmetic on it, allocating nothing. The ensemble calibrates its statistic like every other
 * member's (rarity in this series' own history) and persists its slice with the rest of the array.
 * Adding one is this module's shape in a new file and a line in sliceDetectorsFor
 * (slice-detectors.ts).
 */
export interface SliceDetector {
  readonly name: DetectorName;
  /** Doubles of state in the series' array. */
  readonly doubles: number;
  /**
   * It judges without the time of day, so the seasonal veto applies to it: when the same hour of
   * past days explains the point, its firing is the daily curve, not a fault. (A record, beyond
   * anything the series did, is not explained by the hour.)
   */
  readonly seasonBlind: boolean;
  /** |statistic| at or above this fires (the band is expected ± threshold × sigma). */
  readonly threshold: number;
  /** A series that has seen nothing: the slice's first values (it is zeros before). */
  start(b: Float64Array, at: number): void;
  /**
   * Judges the point (b[POINT_VALUE]) against the past only, writing the signed statistic, the
   * expected value and the sigma of its band to b[outAt], b[outAt + 1], b[outAt + 2]; false while
   * warming up.
   */
  read(b: Float64Array, at: number, outAt: number): boolean;
  /** Learns the point, after every member has read it. */
  learn(b: Float64Array, at: number): void;
  /**
   * Where (from `at`) the next point's read will look beyond the slice's first numbers, when that
   * place depends on the state (an entry of a table): the ensemble fetches it with the series' other
   * lines before any member runs (see touchLines), instead of waiting for it in the middle of read.
   * Only a hint: a wrong answer costs time, never a result.
   */
  nextTouch?(b: Float64Array, at: number): number;
}
