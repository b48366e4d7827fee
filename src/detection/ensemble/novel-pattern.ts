import * as robustLevel from './robust-level.js';
import type { SliceDetector } from './slice-detector.js';
import * as slicePoint from './slice-detector.js';

// What this module uses of the others as constants of its own (see layout.ts: an imported binding
// costs at every use).
const { LEVEL, POINTS, spreadOut, admitPoint, learnRobustLevel, spreadOf } = robustLevel;
const { POINT_VALUE } = slicePoint;

// Slice: points learned, the slow level and spread the values are coded against (robust-level.ts);
// the code of the last CONTEXT_LENGTH points; the recent count of novel contexts; then the table of
// contexts seen, a bit each, 64 bits to a double (see tableWord).
const CONTEXT = 3;
const RECENT = 4;
const TABLE = 5;

/** Each value is coded as one of 2^SYMBOL_BITS symbols: its distance from the level, in spreads. */
const SYMBOL_BITS = 3;
const SYMBOLS = 1 << SYMBOL_BITS;
/** A context is the symbols of this many points in a row (this one and the ones before it). */
const CONTEXT_LENGTH = 4;
const CONTEXT_BITS = SYMBOL_BITS * CONTEXT_LENGTH;
const CONTEXTS = 1 << CONTEXT_BITS;
const CONTEXT_MASK = CONTEXTS - 1;
const TABLE_DOUBLES = CONTEXTS / 64;
/** The recent count is of about this many points (an exponential average of that mean age). */
const RECENT_POINTS = 10;
const RECENT_ALPHA = 1 / RECENT_POINTS;
/** How much slower than the rolling windows the coding's level and spread move: codes keep their meaning. */
const CODE_SLOWER = 10;

/**
 * Contextual novelty, the idea behind the strongest published NAB detectors (contextOSE, ARTime,
 * HTM): a pattern of recent values this series has never shown. Each value is coded as one of 8
 * symbols (how many spreads it lies above or below the series' slowly moving level), the last 4
 * codes form a context, and a table of one bit per possible context (4 096, 512 bytes) remembers
 * which ones the series has shown. A point whose context is new is novel; the statistic is the
 * number of novel contexts among about the last RECENT_POINTS points, so a new shape (a new rhythm
 * of spikes, a new way of oscillating, a wobble where the series was flat) scores however ordinary
 * each value is on its own, and a shape seen once is never novel again. O(1) per point: one bit
 * read and set.
 *
 * Its band is the level ± 4 spreads (where the coding saturates), its sign that of the point's
 * side of the level.
 */
export function createNovelPatternDetector(warmupPoints: number, windowPoints: number): SliceDetector {
  const memory = windowPoints * CODE_SLOWER;
  return {
    name: 'novel_pattern',
    doubles: TABLE + TABLE_DOUBLES,
    seasonBlind: true,
    threshold: 3,
    start() {},
    read(b, at, outAt) {
      if ((b[at + POINTS] as number) < warmupPoints) return false;
      const value = b[POINT_VALUE] as number;
      const level = b[at + LEVEL] as number;
      const context = nextContext(b, at);
      const spread = spreadOut[0] as number;
      tableWord[0] = b[at + TABLE + (context >>> 6)] as number;
      const novel = ((tableHalves[(context >>> 5) & 1] as number) >>> (context & 31)) & 1 ? 0 : 1;
      const recent = b[at + RECENT] as number;
      const count = RECENT_POINTS * (recent + RECENT_ALPHA * (novel - recent));
      b[outAt] = value >= level ? count : -count;
      b[outAt + 1] = level;
      b[outAt + 2] = (SYMBOLS / 2) * spread;
      return true;
    },
    learn(b, at) {
      const points = admitPoint(b, at);
      if (points === 0) return;
      const context = nextContext(b, at);
      const slot = at + TABLE + (context >>> 6);
      tableWord[0] = b[slot] as number;
      const half = (context >>> 5) & 1;
      const word = tableHalves[half] as number;
      const novel = (word >>> (context & 31)) & 1 ? 0 : 1;
      tableHalves[half] = word | (1 << (context & 31));
      b[slot] = tableWord[0] as number;
      b[at + CONTEXT] = context;
      b[at + RECENT] = (b[at + RECENT] as number) + RECENT_ALPHA * (novel - (b[at + RECENT] as number));
      // The coding's level and spread learn clipped residuals, slowly.
      learnRobustLevel(b, at, memory, points);
    },
    nextTouch(b, at) {
      // The next context's word: its symbol is its low bits, below the word's (6 bits a word), so
      // the word is known from this context alone.
      return TABLE + (((((b[at + CONTEXT] as number) | 0) << SYMBOL_BITS) & CONTEXT_MASK) >>> 6);
    },
  };
}

/**
 * One double of the table as its two 32-bit halves: a table word is 64 bits of a double read as they
 * are (the array is never read as numbers there; copies of a series' state copy bytes), half the
 * doubles of 32 bits to a double, 512 bytes less per series (5 MB at 10 000 series). Which half is
 * which follows this machine's byte order, which the state's fingerprint covers.
 */
const tableWord = new Float64Array(1);
const tableHalves = new Int32Array(tableWord.buffer);

/**
 * The context after the point being scored (b[POINT_VALUE]): the last CONTEXT_LENGTH - 1 codes and
 * its own; the spread it was coded in left in spreadOut[0]. No double crosses the call (see
 * spreadOut).
 */
function nextContext(b: Float64Array, at: number): number {
  spreadOf(b, at);
  // Symbols 0..7 for (−∞, −3), [−3, −2), … [3, ∞) spreads from the level.
  let symbol =
    Math.floor(((b[POINT_VALUE] as number) - (b[at + LEVEL] as number)) / (spreadOut[0] as number)) + SYMBOLS / 2;
  symbol = symbol < 0 ? 0 : symbol >= SYMBOLS ? SYMBOLS - 1 : symbol;
  return ((((b[at + CONTEXT] as number) | 0) << SYMBOL_BITS) | symbol) & CONTEXT_MASK;
}
