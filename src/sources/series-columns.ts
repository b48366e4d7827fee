/** Who a series is: the service it belongs to, its metric and its extra labels. */
export interface SeriesIdentity {
  service: string;
  namespace: string;
  metric_name: string;
  labels: Record<string, string>;
}

/**
 * One series of a query answer as columns: validated once at the boundary, then read by detection
 * without an object, a string or a schema parse per point (at 10 000 series those were most of a
 * cycle's CPU and garbage).
 */
export interface SeriesColumns {
  /** seriesKeyOf(identity), computed once per series. */
  key: string;
  identity: SeriesIdentity;
  /** Unix milliseconds; increasing in what the sources produce (detection still checks). */
  timestamps: Float64Array;
  /** Finite numbers; same length as `timestamps`. */
  values: Float64Array;
}
