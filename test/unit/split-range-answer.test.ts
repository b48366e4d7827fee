import { describe, expect, it } from 'vitest';
import type { TimeSlicer } from '../../src/event-loop/create-time-slicer.js';
import { splitRangeAnswer } from '../../src/sources/split-range-answer.js';

/** A slicer whose slice is always spent: counts how often the scan gives the event loop a turn. */
function alwaysDue() {
  const slicer: TimeSlicer & { pauses: number } = {
    pauses: 0,
    due: () => true,
    pause: async () => {
      slicer.pauses += 1;
    },
  };
  return slicer;
}

/** What a split answer means once each part is parsed: the answer with its series put back. */
function rejoin(parts: { envelope: string; series: string[] }): unknown {
  const envelope = JSON.parse(parts.envelope) as { data?: { result?: unknown[] } };
  const series = parts.series.map((s) => JSON.parse(s) as unknown);
  if (envelope.data?.result) envelope.data.result = [...envelope.data.result, ...series];
  return envelope;
}

const tricky = {
  status: 'success',
  data: {
    resultType: 'matrix',
    result: [
      // Label values that look like the structure the splitter reads.
      { metric: { service: 'a},{"metric":{', path: '/x[1],y', quote: 'say "hi" \\ ]' }, values: [[1, '1']] },
      { metric: { service: 'é✓', empty: '' }, values: [] },
      {
        metric: {},
        values: [
          [2, 'NaN'],
          [3, '+Inf'],
        ],
      },
    ],
  },
  warnings: ['result: is a key here too'],
};

describe('splitRangeAnswer', () => {
  it('cuts out each series, whatever their label values hold, and the parts mean the same answer', async () => {
    for (const text of [JSON.stringify(tricky), JSON.stringify(tricky, null, 2)]) {
      const parts = await splitRangeAnswer(text, alwaysDue());
      expect(parts.series).toHaveLength(3);
      expect(JSON.parse(parts.envelope)).toEqual({ ...tricky, data: { ...tricky.data, result: [] } });
      expect(rejoin(parts)).toEqual(tricky);
    }
  });

  it('finds the result wherever it is among the keys, and leaves an answer without one whole', async () => {
    const reordered = JSON.stringify({ data: { result: tricky.data.result, resultType: 'matrix' }, status: 'success' });
    const parts = await splitRangeAnswer(reordered, alwaysDue());
    expect(parts.series).toHaveLength(3);
    expect(rejoin(parts)).toEqual(JSON.parse(reordered));
    const error = JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error: "result":[' });
    expect(await splitRangeAnswer(error, alwaysDue())).toEqual({ envelope: error, series: [] });
    const empty = '{"status":"success","data":{"resultType":"matrix","result":[ ]}}';
    expect((await splitRangeAnswer(empty, alwaysDue())).series).toEqual([]);
  });

  it('leaves invalid JSON for JSON.parse to refuse rather than hiding it', async () => {
    const trailing = '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[]},]}}';
    const parts = await splitRangeAnswer(trailing, alwaysDue());
    expect(() => parts.series.map((s) => JSON.parse(s))).toThrow();
    const truncated = '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[';
    const whole = await splitRangeAnswer(truncated, alwaysDue());
    expect(whole).toEqual({ envelope: truncated, series: [] });
    expect(() => JSON.parse(whole.envelope)).toThrow();
  });

  it('gives the event loop turns while it scans a large answer', async () => {
    const result = Array.from({ length: 2000 }, (_, i) => ({
      metric: { service: 'api', pod: `api-${i}` },
      values: Array.from({ length: 100 }, (_, j): [number, string] => [1_700_000_000 + j * 60, String(j / 7)]),
    }));
    const answer = { status: 'success', data: { resultType: 'matrix', result } };
    const slicer = alwaysDue();
    const parts = await splitRangeAnswer(JSON.stringify(answer), slicer);
    expect(parts.series).toHaveLength(2000);
    expect(rejoin(parts)).toEqual(answer);
    // About 5 MB of text: a turn every 64 Ki characters when the slice is always spent.
    expect(slicer.pauses).toBeGreaterThan(50);
  });
});
