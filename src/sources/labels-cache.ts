/**
 * The labels of the series a Prometheus client has read, found again by the text of their `metric`
 * object. A series answers every cycle with the same text: found here, its labels are not parsed
 * again, and the caller gets the same object each time (so what it worked out from them, such as
 * the series' identity, can be kept against the object). At 10 000 series a cycle otherwise made
 * 10 000 label objects and strings, most of its garbage.
 *
 * Kept by a hash of the text, not the text: the text is ~130 bytes a series for the life of the
 * process (1.3 MB of heap at 10 000 series) where the labels object already says the same. A hash
 * alone could hand a series another's labels, so a hit is checked against the labels themselves:
 * the text must be exactly the labels written as compact JSON, in their order, which is how
 * Prometheus writes them. A text with escapes (rare) is kept as it is; one written otherwise (spaces)
 * is never found, and is parsed every time, correctly.
 *
 * The labels' values are shared: a series' metric name, namespace and service are those of many
 * series, and a pod's name is in every signal's series of that pod; each parse made strings of its
 * own (~1.4 MB of heap at 10 000 series).
 *
 * Bounded: a series not seen for between `keepFor` and twice as many queries is forgotten (pods
 * come and go); the detection cycle queries every signal each minute. The shared values start
 * afresh at each of those sweeps, and hold at most MAX_SHARED_VALUES between them.
 */
export class LabelsCache {
  private readonly byHash = new Map<number, Entry>();
  private readonly byText = new Map<string, Entry>();
  private readonly values = new Map<string, string>();
  private query = 0;

  constructor(private readonly keepFor = 256) {}

  /**
   * The labels written at text[from, to) (a large answer's part): the object read from the same text
   * before, else `parse`'s labels for that text (it throws on what is not labels), kept from now on.
   * One hash of the text either way.
   */
  labelsAt(
    text: string,
    from: number,
    to: number,
    parse: (json: string) => Record<string, string>,
  ): Readonly<Record<string, string>> {
    const hash = hashOf(text, from, to);
    const json = hash >= 0 ? undefined : text.slice(from, to);
    const found = json === undefined ? this.byHash.get(hash) : this.byText.get(json);
    if (found && (json !== undefined || writtenAs(found.labels, text, from, to))) {
      found.seen = this.query;
      return found.labels;
    }
    const labels = parse(json ?? text.slice(from, to));
    for (const name in labels) labels[name] = this.shared(labels[name] as string);
    const frozen = Object.freeze(labels);
    const entry = { labels: frozen, seen: this.query };
    if (json === undefined) this.byHash.set(hash, entry);
    // A key of its own: a slice would keep the whole answer it was cut from alive.
    else this.byText.set(JSON.parse(JSON.stringify(json)) as string, entry);
    return frozen;
  }

  /** Starts a query; every `keepFor` queries, forgets what was not seen during the last ones. */
  startQuery(): void {
    this.query += 1;
    if (this.query % this.keepFor !== 0) return;
    const oldest = this.query - this.keepFor;
    this.values.clear();
    for (const [key, entry] of this.byHash) if (entry.seen < oldest) this.byHash.delete(key);
    for (const [key, entry] of this.byText) if (entry.seen < oldest) this.byText.delete(key);
  }

  /** The string already kept for this value, or this one (kept, while there is room). */
  private shared(value: string): string {
    const known = this.values.get(value);
    if (known !== undefined) return known;
    if (this.values.size < MAX_SHARED_VALUES) this.values.set(value, value);
    return value;
  }

  get size(): number {
    return this.byHash.size + this.byText.size;
  }
}

interface Entry {
  labels: Readonly<Record<string, string>>;
  seen: number;
}

const BACKSLASH = 0x5c;
/** Distinct label values shared between two sweeps: ~2 MB of strings and entries at most. */
const MAX_SHARED_VALUES = 50_000;

/**
 * A 53-bit hash of text[from, to) (26 bits of an FNV-1a and 27 of a second, differently mixed 32-bit
 * hash: a whole number a Map keeps exactly), or -1 when the text has an escape. Two of 100 000 series share one with a
 * chance of about 10⁻⁶, and a shared one is only a miss (see writtenAs).
 */
function hashOf(text: string, from: number, to: number): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ (to - from);
  for (let i = from; i < to; i += 1) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) return -1;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 6) * 0x8000000 + (b >>> 5);
}

/**
 * Whether text[from, to) is exactly `labels` as compact JSON, in their order (no escapes: see
 * hashOf): what makes a hit on a hash shared by two texts a miss rather than the other series' labels.
 */
export function writtenAs(labels: Readonly<Record<string, string>>, text: string, from: number, to: number): boolean {
  let at = from;
  if (text.charCodeAt(at) !== 0x7b) return false;
  at += 1;
  let first = true;
  for (const name in labels) {
    if (!first) {
      if (text.charCodeAt(at) !== 0x2c) return false;
      at += 1;
    }
    first = false;
    const value = labels[name] as string;
    if (
      text.charCodeAt(at) !== 0x22 ||
      !text.startsWith(name, at + 1) ||
      !text.startsWith('":"', at + 1 + name.length) ||
      !text.startsWith(value, at + 4 + name.length) ||
      text.charCodeAt(at + 4 + name.length + value.length) !== 0x22
    )
      return false;
    at += 5 + name.length + value.length;
  }
  return text.charCodeAt(at) === 0x7d && at + 1 === to;
}
