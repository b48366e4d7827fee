/**
 * Turns a detector statistic into a calibrated score: how rare is a deviation this large in this
 * series' own (recent) history? 0.999 means "larger than 99.9% of what this series has shown".
 * Scores of different detectors and different series are then comparable, which a single global
 * threshold (and the NAB optimiser) needs, and which a hand-set sigma threshold is not.
 *
 * A log-spaced histogram of |statistic| in a Fenwick tree: O(log bins) per update and query, with
 * exponential forgetting done by growing the weight of new points (rescaled rarely) instead of
 * decaying every bin.
 */
export const CALIBRATION_BINS = 64;
const MIN_STAT = 0.25;
const LOG_MIN = Math.log(MIN_STAT);
const LOG_SPAN = Math.log(2000 / MIN_STAT);
const RESCALE_AT = 1e200;
const TAIL_EXPONENT = 2;

export interface TailCalibratorState {
  tree: number[];
  total: number;
  weight: number;
  /** Points seen (not decayed): how much history the calibration rests on. */
  count: number;
  /** Largest |statistic| seen, slowly forgotten: beyond it the tail is extrapolated. */
  max: number;
}

export interface TailCalibrator {
  /** Probability of a |statistic| at least this large under the history (before adding it), in (0, 1]. */
  tail(statistic: number): number;
  add(statistic: number): void;
  count(): number;
  state(): TailCalibratorState;
}

export function binOf(statistic: number): number {
  const a = Math.abs(statistic);
  if (!(a > MIN_STAT)) return 0;
  const b = Math.floor(((Math.log(a) - LOG_MIN) / LOG_SPAN) * CALIBRATION_BINS);
  return b >= CALIBRATION_BINS ? CALIBRATION_BINS - 1 : b;
}

/** `halfLife` in points: how fast old behaviour is forgotten. */
export function createTailCalibrator(halfLife: number, initial?: TailCalibratorState): TailCalibrator {
  const tree = new Float64Array(CALIBRATION_BINS + 1);
  let total = 0;
  let weight = 1;
  let count = 0;
  let max = 0;
  const growth = 2 ** (1 / halfLife);
  const maxDecay = 2 ** (-1 / halfLife);
  if (initial && initial.tree.length === CALIBRATION_BINS + 1) {
    tree.set(initial.tree);
    total = initial.total;
    weight = initial.weight;
    count = initial.count;
    max = initial.max ?? 0;
  }

  /** Sum of bins [0, bin). */
  function prefix(bin: number): number {
    let sum = 0;
    for (let i = bin; i > 0; i -= i & -i) sum += tree[i] as number;
    return sum;
  }

  function rescale() {
    for (let i = 1; i <= CALIBRATION_BINS; i += 1) tree[i] = (tree[i] as number) / weight;
    total /= weight;
    weight = 1;
  }

  return {
    tail(statistic) {
      if (total <= 0) return 1;
      const below = prefix(binOf(statistic));
      // +weight: the point itself counts, so a first-ever extreme is rare but never "impossible".
      const tail = Math.min(1, (total - below + weight) / (total + weight));
      const a = Math.abs(statistic);
      // Beyond anything seen, a histogram cannot say how rare: extrapolate a Pareto tail, so that a
      // deviation three times the largest ever is rarer than one just past it (and a short history
      // does not cap how sure we can be).
      return a > max && max > 0 ? tail * (max / a) ** TAIL_EXPONENT : tail;
    },
    add(statistic) {
      for (let i = binOf(statistic) + 1; i <= CALIBRATION_BINS; i += i & -i) tree[i] = (tree[i] as number) + weight;
      total += weight;
      count += 1;
      max = Math.max(max * maxDecay, Math.abs(statistic));
      weight *= growth;
      if (weight > RESCALE_AT) rescale();
    },
    count: () => count,
    state: () => ({ tree: Array.from(tree), total, weight, count, max }),
  };
}
