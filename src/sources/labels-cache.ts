/**
 * The labels of the series a Prometheus client has read, by the exact text of their `metric`
 * object. A series answers every cycle with the same text: found here, its labels are not parsed
 * again, and the caller gets the same object each time (so what it worked out from them, such as
 * the series' identity, can be kept against the object). At 10 000 series a cycle otherwise made
 * 10 000 label objects and strings, most of its garbage.
 *
 * Bounded: a series not seen for between `keepFor` and twice as many queries is forgotten (pods
 * come and go); the detection cycle queries every signal each minute.
 */
export class LabelsCache {
  private readonly known = new Map<string, { labels: Readonly<Record<string, string>>; seen: number }>();
  private query = 0;

  constructor(private readonly keepFor = 256) {}

  /** Labels read from this exact text before, or undefined. */
  get(metricText: string): Readonly<Record<string, string>> | undefined {
    const entry = this.known.get(metricText);
    if (!entry) return undefined;
    entry.seen = this.query;
    return entry.labels;
  }

  /** Remembers labels read from `metricText`, which may be a slice of a large answer. */
  add(metricText: string, labels: Record<string, string>): Readonly<Record<string, string>> {
    // A key of its own: a slice would keep the whole answer it was cut from alive.
    const key = JSON.parse(JSON.stringify(metricText)) as string;
    const frozen = Object.freeze(labels);
    this.known.set(key, { labels: frozen, seen: this.query });
    return frozen;
  }

  /** Starts a query; every `keepFor` queries, forgets what was not seen during the last ones. */
  startQuery(): void {
    this.query += 1;
    if (this.query % this.keepFor !== 0) return;
    const oldest = this.query - this.keepFor;
    for (const [key, entry] of this.known) if (entry.seen < oldest) this.known.delete(key);
  }

  get size(): number {
    return this.known.size;
  }
}
