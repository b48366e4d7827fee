import type { TimeSlicer } from '../event-loop/create-time-slicer.js';

export interface RangeAnswerParts {
  /** The answer with the elements of `data.result` cut out (`"result":[]`): small, parsed at once. */
  envelope: string;
  /** The JSON text of each element of `data.result`, in order, to be parsed one at a time. */
  series: string[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** Characters scanned between two looks at the clock. */
const CHECK_EVERY = 1 << 16;

/**
 * Splits a query_range answer into its envelope and the text of each series, without parsing the
 * points. One JSON.parse of a 10 000-series answer (34 MB) blocks the event loop for ~0.4 s; parsing
 * series one by one lets the caller pause between them. Only the structure is read here (strings,
 * brackets, commas at the result's depth): whether the text is valid JSON is decided by JSON.parse
 * on the parts. Where `data.result` is not an array directly under the top-level object (an error
 * answer, an odd encoding), nothing is cut and the envelope is the whole text.
 */
export async function splitRangeAnswer(text: string, slicer: TimeSlicer): Promise<RangeAnswerParts> {
  // One entry per open container: its opening character and, for an object, the key being read.
  const kinds: number[] = [];
  const keys: string[] = [];
  let expectKey = false;
  let resultDepth = -1;
  let open = -1;
  let close = -1;
  let elementStart = -1;
  const series: string[] = [];
  let nextCheck = CHECK_EVERY;
  for (let i = 0; i < text.length; i += 1) {
    if (i >= nextCheck) {
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
      const isResult =
        open < 0 &&
        c === OPEN_ARRAY &&
        kinds.length === 2 &&
        kinds[0] === OPEN_OBJECT &&
        keys[0] === 'data' &&
        kinds[1] === OPEN_OBJECT &&
        keys[1] === 'result';
      kinds.push(c);
      keys.push('');
      expectKey = c === OPEN_OBJECT;
      if (isResult) {
        resultDepth = kinds.length;
        open = i;
        elementStart = i + 1;
      }
    } else if (c === COMMA) {
      if (kinds.length === resultDepth) {
        series.push(text.slice(elementStart, i));
        elementStart = i + 1;
      }
      expectKey = kinds.at(-1) === OPEN_OBJECT;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (kinds.length === resultDepth && c === CLOSE_ARRAY) {
        const last = text.slice(elementStart, i);
        // `[]` holds no element; `[a,]` is left for JSON.parse to refuse.
        if (series.length > 0 || last.trim() !== '') series.push(last);
        close = i;
        resultDepth = -1;
      }
      kinds.pop();
      keys.pop();
      expectKey = false;
    }
  }
  if (open < 0 || close < 0) return { envelope: text, series: [] };
  return { envelope: text.slice(0, open + 1) + text.slice(close), series };
}
