/**
 * How unlikely a recent count of events is at a series' usual rate of them: the Poisson
 * log-likelihood ratio k ln(k/λ) − (k − λ) of the k events of about the last `points` points (an
 * exponential average `recent` of the 0/1 events, with this point's `event` added at 1 / points)
 * against the λ = points × `usual` expected; zero when there are no more than expected. Shared by
 * the detectors that watch a rate of events (excursions, novel contexts) rather than a value.
 *
 * `recent` and `usual` are read from the series' array (b[recentAt], b[usualAt]) and the answer is
 * left in b[outAt]: no double crosses the call, which V8 would box on the heap whenever it does not
 * inline it (the detectors' hot path inlines only so much: see layout.ts' `handed`).
 */
export function poissonSurpriseInto(
  b: Float64Array,
  recentAt: number,
  event: number,
  usualAt: number,
  points: number,
  outAt: number,
): void {
  const recent = b[recentAt] as number;
  const k = points * recent + (event - recent);
  const lambda = points * (b[usualAt] as number);
  b[outAt] = k > lambda ? k * Math.log(k / lambda) - (k - lambda) : 0;
}

/**
 * Whether the surprise poissonSurpriseInto would give reaches `line`, mostly without its logarithm:
 * for k > λ, k ln(k/λ) − (k − λ) lies between (k − λ)² / (k + λ) and (k − λ)² / 2λ (ln x between
 * 2(x − 1)/(x + 1) and (x − 1/x)/2 for x ≥ 1), and only a line between the two asks for the
 * logarithm. The bounds are taken a millionth inside the line, far more than the few ulps the
 * computed surprise may differ from the exact one by for counts of a few hundred: the answer is
 * always the comparison's.
 */
export function poissonSurpriseReaches(
  b: Float64Array,
  recentAt: number,
  event: number,
  usualAt: number,
  points: number,
  line: number,
): boolean {
  const recent = b[recentAt] as number;
  const k = points * recent + (event - recent);
  const lambda = points * (b[usualAt] as number);
  if (k > lambda) {
    const squared = (k - lambda) * (k - lambda);
    if (squared < 2 * lambda * line * (1 - 1e-6)) return false;
    if (squared > (k + lambda) * line * (1 + 1e-6)) return true;
    return k * Math.log(k / lambda) - (k - lambda) >= line;
  }
  return 0 >= line;
}
