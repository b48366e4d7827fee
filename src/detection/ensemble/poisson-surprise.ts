/**
 * How unlikely a recent count of events is at a series' usual rate of them: the Poisson
 * log-likelihood ratio k ln(k/λ) − (k − λ) of the k events of about the last `points` points (an
 * exponential average `recent` of the 0/1 events, with this point's `event` added at 1 / points)
 * against the λ = points × `usual` expected; zero when there are no more than expected. Shared by
 * the detectors that watch a rate of events (excursions, novel contexts) rather than a value.
 */
export function poissonSurprise(recent: number, event: number, usual: number, points: number): number {
  const k = points * recent + (event - recent);
  const lambda = points * usual;
  return k > lambda ? k * Math.log(k / lambda) - (k - lambda) : 0;
}
