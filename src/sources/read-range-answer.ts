import { createColumnSlabs } from '../collections/create-column-slabs.js';
import type { TimeSlicer } from '../event-loop/create-time-slicer.js';
import type { LabelsCache } from './labels-cache.js';

/** One series of a range answer, as columns. */
export interface RangeSeries {
  /** The same (frozen) object whenever the series comes again with the same labels (LabelsCache). */
  labels: Readonly<Record<string, string>>;
  /** Unix milliseconds, in the order Prometheus sent them (increasing). */
  timestamps: Float64Array;
  /** Same length as `timestamps`; non-finite values (NaN, ±Inf) are dropped and counted in `dropped`. */
  values: Float64Array;
  dropped: number;
}

export interface RangeAnswer {
  /** The answer with the elements of `data.result` cut out (`"result":[]`): small, for JSON.parse. */
  envelope: string;
  /** The elements of `data.result`, read straight into columns. */
  series: RangeSeries[];
}

/** The answer is not what a range query answers; the message says where and why. */
export class RangeAnswerError extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
/** Characters scanned between two looks at the clock, where the scan is not between series. */
const CHECK_EVERY = 1 << 16;
/** The largest time a Date can hold (ECMA-262 §21.4.1.1): anything later cannot be an ISO timestamp. */
const MAX_DATE_MS = 8.64e15;
/** Powers of ten that are exact doubles (10^22 is the last). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Significant digits an exact double integer surely holds (10^15 < 2^53). */
const MAX_EXACT_DIGITS = 15;

/**
 * Reads a query_range answer's series straight from its text into typed arrays: one pass, no
 * object per point, no string per timestamp (JSON.parse made an array and a string per point, and
 * its garbage was a tenth of a cycle). A number is read exactly as Number() reads it: decimals of
 * up to 15 significant digits and a power of ten up to 10^22 are computed with one correctly
 * rounded operation (Clinger's fast path, the same double), anything else (more digits, NaN, +Inf)
 * goes through Number() itself. A series' labels come from `known` when the same metric text was
 * read before (the same object each cycle). The event loop gets a turn between series.
 *
 * Where `data.result` is not an array directly under the top-level object (an error answer, an
 * odd encoding), nothing is read and the envelope is the whole text.
 */
export async function readRangeAnswer(text: string, slicer: TimeSlicer, known: LabelsCache): Promise<RangeAnswer> {
  const open = await findResultArray(text, slicer);
  if (open < 0) return { envelope: text, series: [] };
  const scanner = new Scanner(text, open + 1, known);
  const series: RangeSeries[] = [];
  scanner.skipSpace();
  if (scanner.peek() === CLOSE_ARRAY) {
    return { envelope: text.slice(0, open + 1) + text.slice(scanner.at), series };
  }
  for (;;) {
    if (slicer.due()) await slicer.pause();
    series.push(scanner.series(series.length));
    scanner.skipSpace();
    const c = scanner.next();
    if (c === CLOSE_ARRAY) break;
    if (c !== COMMA) throw scanner.fail(`series ${series.length - 1} is not followed by , or ]`);
    scanner.skipSpace();
  }
  return { envelope: text.slice(0, open + 1) + text.slice(scanner.at - 1), series };
}

/**
 * Where `data.result`'s `[` is, or -1: reads only the structure (strings, brackets, keys) of what
 * comes before it, a few dozen characters in a Prometheus answer.
 */
async function findResultArray(text: string, slicer: TimeSlicer): Promise<number> {
  // One entry per open container: its opening character and, for an object, the key being read.
  const kinds: number[] = [];
  const keys: string[] = [];
  let expectKey = false;
  let nextCheck = CHECK_EVERY;
  for (let i = 0; i < text.length; i += 1) {
    if (i >= nextCheck) {
      // Long only when the body is not an answer (an error page): it is scanned to its end.
      nextCheck = i + CHECK_EVERY;
      if (slicer.due()) await slicer.pause();
    }
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i + 1;
      i += 1;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (d === QUOTE) break;
        i += d === BACKSLASH ? 2 : 1;
      }
      if (expectKey) {
        keys[keys.length - 1] = text.slice(start, i);
        expectKey = false;
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (
        c === OPEN_ARRAY &&
        kinds.length === 2 &&
        kinds[0] === OPEN_OBJECT &&
        keys[0] === 'data' &&
        kinds[1] === OPEN_OBJECT &&
        keys[1] === 'result'
      ) {
        return i;
      }
      kinds.push(c);
      keys.push('');
      expectKey = c === OPEN_OBJECT;
    } else if (c === COMMA) {
      expectKey = kinds.at(-1) === OPEN_OBJECT;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      kinds.pop();
      keys.pop();
      expectKey = false;
    }
  }
  return -1;
}

/** Points of the series being read, before they are copied out at their exact length. */
let scratchTimes = new Float64Array(1024);
let scratchValues = new Float64Array(1024);

function growScratch(): void {
  const times = new Float64Array(scratchTimes.length * 2);
  times.set(scratchTimes);
  scratchTimes = times;
  const values = new Float64Array(scratchValues.length * 2);
  values.set(scratchValues);
  scratchValues = values;
}

/** A cursor over the answer's text that reads one series element at a time, strictly. */
class Scanner {
  /** The answer's columns, views of a few slabs (see createColumnSlabs). */
  private readonly column = createColumnSlabs();

  constructor(
    private readonly text: string,
    public at: number,
    private readonly known: LabelsCache,
  ) {}

  peek(): number {
    return this.text.charCodeAt(this.at);
  }

  next(): number {
    const c = this.text.charCodeAt(this.at);
    this.at += 1;
    return c;
  }

  skipSpace(): void {
    const { text } = this;
    let i = this.at;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i += 1;
    }
    this.at = i;
  }

  fail(why: string): RangeAnswerError {
    return new RangeAnswerError(`${why} (at character ${this.at})`);
  }

  private expect(c: number, what: string): void {
    if (this.next() !== c) {
      this.at -= 1;
      throw this.fail(`expected ${what}`);
    }
  }

  /** `{"metric": {…}, "values": [[t, "v"], …]}`, keys in any order, others skipped. */
  series(index: number): RangeSeries {
    this.expect(OPEN_OBJECT, `series ${index} to be an object`);
    let labels: Readonly<Record<string, string>> | undefined;
    let columns: Omit<RangeSeries, 'labels'> | undefined;
    this.skipSpace();
    if (this.peek() === CLOSE_OBJECT) throw this.fail(`series ${index} has no metric and no values`);
    for (;;) {
      this.skipSpace();
      const keyAt = this.at;
      this.skipString();
      const keyEnd = this.at;
      this.skipSpace();
      this.expect(COLON, ':');
      this.skipSpace();
      if (this.keyIs(keyAt, keyEnd, '"metric"')) labels = this.labels();
      else if (this.keyIs(keyAt, keyEnd, '"values"')) columns = this.points();
      else this.skipValue();
      this.skipSpace();
      const c = this.next();
      if (c === CLOSE_OBJECT) break;
      if (c !== COMMA) throw this.fail(`series ${index}: expected , or }`);
    }
    if (!labels || !columns) throw this.fail(`series ${index} needs both metric and values`);
    return { labels, ...columns };
  }

  /** Whether the key text[from, to) (quotes included) is `quoted`, without making a string of it. */
  private keyIs(from: number, to: number, quoted: string): boolean {
    return to - from === quoted.length && this.text.startsWith(quoted, from);
  }

  /** Moves past the JSON string at the cursor; true when it has escapes (JSON.parse judges them). */
  private skipString(): boolean {
    const { text } = this;
    if (text.charCodeAt(this.at) !== QUOTE) throw this.fail('expected a string');
    let i = this.at + 1;
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        i += 2;
      } else if (c < 0x20 || Number.isNaN(c)) {
        this.at = i;
        throw this.fail(c < 0x20 ? 'a control character in a string' : 'an unterminated string');
      } else i += 1;
    }
    this.at = i + 1;
    return escaped;
  }

  /** The JSON string at the cursor. */
  private string(): string {
    const start = this.at;
    const escaped = this.skipString();
    if (!escaped) return this.text.slice(start + 1, this.at - 1);
    try {
      return JSON.parse(this.text.slice(start, this.at)) as string;
    } catch {
      this.at = start;
      throw this.fail('an invalid escape in a string');
    }
  }

  /** An object of string values: read once per distinct text (LabelsCache), then found. */
  private labels(): Readonly<Record<string, string>> {
    if (this.peek() !== OPEN_OBJECT) throw this.fail('expected metric to be an object');
    const start = this.at;
    this.skipValue();
    const end = this.at;
    return this.known.labelsAt(this.text, start, end, (text) => {
      // JSON.parse gives the labels strings of their own: slices of the answer would keep the whole
      // answer, megabytes, alive for as long as the series' labels are kept.
      let labels: Record<string, unknown>;
      try {
        labels = JSON.parse(text) as Record<string, unknown>;
      } catch {
        this.at = start;
        throw this.fail('an invalid metric object');
      }
      for (const name in labels) {
        if (typeof labels[name] !== 'string') {
          this.at = start;
          throw this.fail(`label ${name} is not a string`);
        }
      }
      return labels as Record<string, string>;
    });
  }

  /**
   * `[[unix seconds, "value"], …]` into columns. A pair of another shape makes the answer garbage;
   * a value that is not a finite number (NaN, ±Inf) or a time no Date can hold is dropped and counted.
   */
  private points(): Omit<RangeSeries, 'labels'> {
    this.expect(OPEN_ARRAY, 'values to be an array');
    let n = 0;
    let pairs = 0;
    this.skipSpace();
    if (this.peek() === CLOSE_ARRAY) {
      this.at += 1;
      return { timestamps: new Float64Array(0), values: new Float64Array(0), dropped: 0 };
    }
    for (;;) {
      this.skipSpace();
      if (this.next() !== OPEN_ARRAY) throw this.notPair(pairs);
      this.skipSpace();
      const seconds = this.jsonNumber();
      if (Number.isNaN(seconds)) throw this.notPair(pairs);
      this.skipSpace();
      if (this.next() !== COMMA) throw this.notPair(pairs);
      this.skipSpace();
      if (this.peek() !== QUOTE) throw this.notPair(pairs);
      const value = this.numberString();
      this.skipSpace();
      if (this.next() !== CLOSE_ARRAY) throw this.notPair(pairs);
      pairs += 1;
      // Prometheus timestamps have millisecond precision; rounding undoes the float error of ×1000.
      const ms = Math.round(seconds * 1000);
      if (Number.isFinite(value) && Math.abs(ms) <= MAX_DATE_MS) {
        if (n === scratchTimes.length) growScratch();
        scratchTimes[n] = ms;
        scratchValues[n] = value;
        n += 1;
      }
      this.skipSpace();
      const c = this.next();
      if (c === CLOSE_ARRAY) break;
      if (c !== COMMA) throw this.fail('expected , or ] in values');
    }
    const timestamps = this.column(n);
    timestamps.set(scratchTimes.subarray(0, n));
    const values = this.column(n);
    values.set(scratchValues.subarray(0, n));
    return { timestamps, values, dropped: pairs - n };
  }

  private notPair(index: number): RangeAnswerError {
    return this.fail(`point ${index} of a series is not [number, string]`);
  }

  /** A JSON number (strict grammar), read as JSON.parse reads it; NaN where there is none. */
  private jsonNumber(): number {
    const { text } = this;
    const start = this.at;
    let i = start;
    if (text.charCodeAt(i) === MINUS) i += 1;
    const intStart = i;
    while (isDigit(text.charCodeAt(i))) i += 1;
    // JSON: at least one digit, and no leading zero before more digits.
    if (i === intStart || (text.charCodeAt(intStart) === ZERO && i - intStart > 1)) return Number.NaN;
    if (text.charCodeAt(i) === DOT) {
      i += 1;
      const fracStart = i;
      while (isDigit(text.charCodeAt(i))) i += 1;
      if (i === fracStart) return Number.NaN;
    }
    const e = text.charCodeAt(i);
    if (e === LOWER_E || e === UPPER_E) {
      i += 1;
      const sign = text.charCodeAt(i);
      if (sign === PLUS || sign === MINUS) i += 1;
      const expStart = i;
      while (isDigit(text.charCodeAt(i))) i += 1;
      if (i === expStart) return Number.NaN;
    }
    this.at = i;
    return decimal(text, start, i);
  }

  /** A JSON string holding a number, read as Number() reads the string's value. */
  private numberString(): number {
    const { text } = this;
    const start = this.at + 1;
    let i = start;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 0x20 || Number.isNaN(c)) return Number(this.string());
      i += 1;
    }
    this.at = i + 1;
    return decimal(text, start, i);
  }

  /** Skips any JSON value (an unknown key of a series, e.g. native histograms). */
  private skipValue(): void {
    const c = this.peek();
    if (c === QUOTE) {
      this.skipString();
      return;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const close = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
      this.at += 1;
      this.skipSpace();
      if (this.peek() === close) {
        this.at += 1;
        return;
      }
      for (;;) {
        this.skipSpace();
        if (c === OPEN_OBJECT) {
          this.skipString();
          this.skipSpace();
          this.expect(COLON, ':');
          this.skipSpace();
        }
        this.skipValue();
        this.skipSpace();
        const d = this.next();
        if (d === close) return;
        if (d !== COMMA) throw this.fail('expected , or a closing bracket');
      }
    }
    // A literal or a number: up to the next delimiter, for JSON.parse to judge.
    const start = this.at;
    let i = start;
    for (;;) {
      const d = this.text.charCodeAt(i);
      if (Number.isNaN(d) || d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || d <= 0x20) break;
      i += 1;
    }
    try {
      JSON.parse(this.text.slice(start, i));
    } catch {
      throw this.fail('an invalid value');
    }
    this.at = i;
  }
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/**
 * text[start, end) as Number() reads it. `[+-]digits[.digits][e[+-]digits]` with at most 15
 * significant digits and a power of ten within ±22 is m × 10^k or m / 10^k with m and 10^k exact:
 * one correctly rounded operation, the double Number() gives (Clinger 1990). Anything else is
 * handed to Number() (one short string).
 */
export function decimal(text: string, start: number, end: number): number {
  let i = start;
  let c = text.charCodeAt(i);
  const negative = c === MINUS;
  if (negative || c === PLUS) {
    i += 1;
    c = text.charCodeAt(i);
  }
  let mantissa = 0;
  let digits = 0;
  let significant = 0;
  let scale = 0;
  while (i < end && c >= ZERO && c <= NINE) {
    if (significant > 0 || c !== ZERO) {
      mantissa = mantissa * 10 + (c - ZERO);
      significant += 1;
    }
    digits += 1;
    i += 1;
    c = text.charCodeAt(i);
  }
  if (i < end && c === DOT) {
    i += 1;
    c = text.charCodeAt(i);
    while (i < end && c >= ZERO && c <= NINE) {
      if (significant > 0 || c !== ZERO) {
        mantissa = mantissa * 10 + (c - ZERO);
        significant += 1;
      }
      scale -= 1;
      digits += 1;
      i += 1;
      c = text.charCodeAt(i);
    }
  }
  if (digits > 0 && i < end && (c === LOWER_E || c === UPPER_E)) {
    i += 1;
    c = text.charCodeAt(i);
    const negativeExponent = c === MINUS;
    if (negativeExponent || c === PLUS) {
      i += 1;
      c = text.charCodeAt(i);
    }
    const expStart = i;
    let exponent = 0;
    while (i < end && c >= ZERO && c <= NINE && exponent < 1000) {
      exponent = exponent * 10 + (c - ZERO);
      i += 1;
      c = text.charCodeAt(i);
    }
    if (i === expStart) return Number(text.slice(start, end));
    scale += negativeExponent ? -exponent : exponent;
  }
  if (i !== end || digits === 0 || significant > MAX_EXACT_DIGITS) return Number(text.slice(start, end));
  let value: number;
  if (mantissa === 0) value = 0;
  else if (scale >= 0 && scale <= 22) value = mantissa * (POW10[scale] as number);
  else if (scale < 0 && scale >= -22) value = mantissa / (POW10[-scale] as number);
  else return Number(text.slice(start, end));
  return negative ? -value : value;
}
