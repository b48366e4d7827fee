/**
 * The scale the detectors judge a series on. `sqrt`: Anscombe's variance-stabilising transform
 * 2·√(x + 3/8) (see toSqrtScale): for counts and other non-negative magnitudes (requests, tweets, bytes, CPU) the noise grows
 * with the level, so on the raw scale a burst that is ordinary for a busy series, or one giant spike
 * that inflates every band for weeks, decides what is "far"; on the square-root scale a deviation
 * means about the same at any level (for a Poisson count its noise is 1 at every rate).
 * https://en.wikipedia.org/wiki/Anscombe_transform
 * `linear`: the values as they are. An SLO signal's error ratio is always linear (the burn rate
 * divides it by the error budget).
 *
 * Every member reads the transformed value; the expected value, the band and the minimum deviation
 * are turned back into the signal's units (fromSqrtScale) wherever a person or a rule sees them.
 */
export type ValueScale = 'sqrt' | 'linear';

/** Whether the detectors of a series with these options judge it on the square-root scale. */
export function judgesOnSqrtScale(options: { valueScale?: ValueScale; slo?: unknown }): boolean {
  return options.valueScale === 'sqrt' && options.slo === undefined;
}

const OFFSET = 0.375;
const ROOT_OFFSET = Math.sqrt(OFFSET);

/**
 * x on the square-root scale: 2·(√(|x| + 3/8) − √(3/8)), with x's sign. Anscombe's transform less
 * its value at 0, so that 0 stays 0: the detectors' floors relative to the level (a band never
 * narrower than 1% of it) keep their meaning for a series of small values (an error ratio of 0.002
 * would otherwise sit at 1.22, its noise far under 1% of that). Odd, continuous and increasing, so a
 * negative value is judged too. NaN stays NaN.
 */
export function toSqrtScale(x: number): number {
  return x >= 0 ? 2 * (Math.sqrt(x + OFFSET) - ROOT_OFFSET) : -2 * (Math.sqrt(OFFSET - x) - ROOT_OFFSET);
}

/**
 * b[i] put on the square-root scale in place. The detector's update calls this, not toSqrtScale: a
 * double returned from a call V8 does not inline is boxed on the heap, once per point (see handed
 * in layout.ts), where a call that takes an array and an index and returns nothing boxes nothing.
 */
export function toSqrtScaleAt(b: Float64Array, i: number): void {
  b[i] = toSqrtScale(b[i] as number);
}

/** The inverse of toSqrtScale: a value (an expected value, a band's end) back in the signal's units. */
export function fromSqrtScale(y: number): number {
  const h = Math.abs(y) / 2 + ROOT_OFFSET;
  const x = h * h - OFFSET;
  return y >= 0 ? x : -x;
}
