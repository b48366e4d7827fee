/**
 * The range answer reader against the platform's own JSON.parse and Number(): whatever the label
 * values hold, however the answer is spaced or its keys ordered, it reads the same series and the
 * same doubles, bit for bit; what is not an answer is refused with where and why.
 */
import { describe, expect, it } from 'vitest';
import type { TimeSlicer } from '../../src/event-loop/create-time-slicer.js';
import { LabelsCache, writtenAs } from '../../src/sources/labels-cache.js';
import { decimal, RangeAnswerError, readRangeAnswer } from '../../src/sources/read-range-answer.js';

/** A slicer whose slice is always spent: counts how often the reader gives the event loop a turn. */
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

/** What the answer means, read with JSON.parse and Number() (the oracle, test only). */
function oracle(text: string) {
  const answer = JSON.parse(text) as { data: { result: Array<{ metric: Record<string, string>; values: unknown[] }> } };
  return answer.data.result.map((s) => {
    const kept = (s.values as Array<[number, string]>)
      .map(([t, v]) => [Math.round(t * 1000), Number(v)] as const)
      .filter(([ms, v]) => Number.isFinite(v) && Math.abs(ms) <= 8.64e15);
    return {
      labels: s.metric,
      timestamps: [...kept.map(([ms]) => ms)],
      values: [...kept.map(([, v]) => v)],
      dropped: s.values.length - kept.length,
    };
  });
}

async function read(text: string) {
  const answer = await readRangeAnswer(text, alwaysDue(), new LabelsCache());
  return {
    envelope: answer.envelope,
    series: answer.series.map((s) => ({
      labels: s.labels,
      timestamps: [...s.timestamps],
      values: [...s.values],
      dropped: s.dropped,
    })),
  };
}

const tricky = {
  status: 'success',
  data: {
    resultType: 'matrix',
    result: [
      // Label values that look like the structure the reader reads.
      {
        metric: { service: 'a},{"metric":{', path: '/x[1],y', quote: 'say "hi" \\ ]', tab: 'a\tb' },
        values: [
          [1_700_000_000, '1'],
          [1_700_000_060.5, '0.30000000000000004'],
        ],
      },
      { metric: { service: 'é✓', empty: '' }, values: [] },
      {
        metric: {},
        values: [
          [2, 'NaN'],
          [3, '+Inf'],
          [4, '-Inf'],
          [5, '-0'],
          [6, '1e-7'],
        ],
      },
    ],
  },
  warnings: ['result: is a key here too'],
};

describe('readRangeAnswer', () => {
  it('reads every series as JSON.parse and Number() would, whatever the labels hold or the spacing', async () => {
    for (const text of [JSON.stringify(tricky), JSON.stringify(tricky, null, 2)]) {
      const answer = await read(text);
      expect(answer.series).toEqual(oracle(text));
      expect(answer.series[2]?.dropped).toBe(3);
      expect(Object.is(answer.series[2]?.values[0], -0)).toBe(true);
      expect(JSON.parse(answer.envelope)).toEqual({ ...tricky, data: { ...tricky.data, result: [] } });
    }
  });

  it('reads timestamps written every way JSON allows as JSON.parse does, whole seconds included', async () => {
    const times = ['0', '-0', '7', '-12', '1764600000', '123456789012345', '1234567890123456', '99999999999999999'];
    const more = ['1764600000.5', '1764600000.25', '17646e5', '1.7646E9', '-1e3', '0.001'];
    const text = `{"data":{"result":[{"metric":{},"values":[${[...times, ...more].map((t) => `[${t},"1"]`).join(',')}]}]}}`;
    const answer = await read(text);
    expect(answer.series).toEqual(oracle(text));
    // toEqual does not tell -0 from 0; the timestamp of "-0" is Math.round(-0 * 1000).
    expect(Object.is(answer.series[0]?.timestamps[1], Math.round(-0 * 1000))).toBe(true);
    // Not JSON: a leading zero, a bare sign, a trailing dot.
    for (const bad of ['01', '-', '1.'])
      await expect(read(`{"data":{"result":[{"metric":{},"values":[[${bad},"1"]]}]}}`)).rejects.toThrow(
        RangeAnswerError,
      );
  });

  it('reads keys in any order, skips keys it does not use, and keeps a __proto__ label a label', async () => {
    const text =
      '{"data":{"result":[{"values":[[1,"2"]],"histograms":[[1,{"count":"3","buckets":[[0,"1","2","4"]]}]],' +
      '"extra":null,"metric":{"__proto__":"x","job":"api"}}],"resultType":"matrix"},"status":"success"}';
    const [series] = (await read(text)).series;
    expect(series?.values).toEqual([2]);
    expect(Object.getPrototypeOf(series?.labels)).toBe(Object.prototype);
    expect(Object.keys(series?.labels ?? {})).toEqual(['__proto__', 'job']);
    expect(Object.getOwnPropertyDescriptor(series?.labels, '__proto__')?.value).toBe('x');
  });

  it('leaves an answer without a result whole, and empties an empty one', async () => {
    const error = JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error: "result":[' });
    expect(await read(error)).toEqual({ envelope: error, series: [] });
    const empty = '{"status":"success","data":{"resultType":"matrix","result":[ ]}}';
    expect(await read(empty)).toEqual({
      envelope: '{"status":"success","data":{"resultType":"matrix","result":[]}}',
      series: [],
    });
  });

  it.each([
    ['a trailing comma', '[{"metric":{},"values":[]},]', /expected a string|series 1 to be an object/],
    ['a truncated answer', '[{"metric":{},"values":[[1,"2"],', /point 1 of a series/],
    ['a number value', '[{"metric":{},"values":[[1,2]]}]', /point 0 of a series is not \[number, string\]/],
    ['a pair of three', '[{"metric":{},"values":[[1,"2","3"]]}]', /point 0 of a series/],
    ['a string timestamp', '[{"metric":{},"values":[["1","2"]]}]', /point 0 of a series/],
    ['a timestamp JSON does not allow', '[{"metric":{},"values":[[01,"2"]]}]', /point 0 of a series/],
    ['a label that is not a string', '[{"metric":{"a":1},"values":[]}]', /label a is not a string/],
    ['no values', '[{"metric":{}}]', /needs both metric and values/],
    ['an empty series', '[{}]', /has no metric and no values/],
    ['a raw control character', '[{"metric":{"a":"x\ny"},"values":[]}]', /control character/],
    ['a bad literal', '[{"metric":{},"values":[],"x":nope}]', /an invalid value/],
  ])('refuses %s, saying where', async (_name, result, message) => {
    const text = `{"status":"success","data":{"resultType":"matrix","result":${result}}}`;
    const error = await readRangeAnswer(text, alwaysDue(), new LabelsCache()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeAnswerError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/at character \d+/);
  });

  it('finds labels written with escapes again, and reads labels written with spaces afresh each time', async () => {
    const known = new LabelsCache(4);
    const answer = (metric: string) =>
      `{"status":"success","data":{"resultType":"matrix","result":[{"metric":${metric},"values":[[1,"1"]]}]}}`;
    const escaped = '{"pod":"a\\"b","path":"/x\\u003cy"}';
    known.startQuery();
    const first = await readRangeAnswer(answer(escaped), alwaysDue(), known);
    expect(first.series[0]?.labels).toEqual({ pod: 'a"b', path: '/x<y' });
    const again = await readRangeAnswer(answer(escaped), alwaysDue(), known);
    expect(again.series[0]?.labels).toBe(first.series[0]?.labels);
    // Not how Prometheus writes them: never found by their text, but read right every time.
    const spaced = '{ "pod": "c" }';
    const one = await readRangeAnswer(answer(spaced), alwaysDue(), known);
    const two = await readRangeAnswer(answer(spaced), alwaysDue(), known);
    expect(two.series[0]?.labels).toEqual({ pod: 'c' });
    expect(two.series[0]?.labels).not.toBe(one.series[0]?.labels);
  });

  it('takes a hit only when the text is exactly the labels found (a shared hash is a miss)', () => {
    const text = 'xx{"__name__":"up","pod":"a"}yy';
    const labels = { __name__: 'up', pod: 'a' };
    expect(writtenAs(labels, text, 2, text.length - 2)).toBe(true);
    expect(writtenAs({ __name__: 'up', pod: 'b' }, text, 2, text.length - 2)).toBe(false);
    expect(writtenAs({ pod: 'a', __name__: 'up' }, text, 2, text.length - 2)).toBe(false);
    expect(writtenAs({ __name__: 'up' }, text, 2, text.length - 2)).toBe(false);
    expect(writtenAs({ __name__: 'up', pod: 'a', x: '1' }, text, 2, text.length - 2)).toBe(false);
    expect(writtenAs({ __name__: 'up', pod: 'ab' }, text, 2, text.length - 2)).toBe(false);
    expect(writtenAs({ __name__: 'up', pod: 'a' }, text, 2, text.length - 1)).toBe(false);
    expect(writtenAs({}, '{}', 0, 2)).toBe(true);
  });

  it('gives a series the same labels object whenever it comes again, and forgets series gone for a while', async () => {
    const known = new LabelsCache(4);
    const answer = (value: string) =>
      `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"pod":"a"},"values":[[1,"${value}"]]},` +
      `{"metric":{"pod":"b"},"values":[[1,"${value}"]]}]}}`;
    known.startQuery();
    const first = await readRangeAnswer(answer('1'), alwaysDue(), known);
    known.startQuery();
    const again = await readRangeAnswer(answer('2'), alwaysDue(), known);
    expect(again.series[0]?.labels).toBe(first.series[0]?.labels);
    expect(again.series[1]?.labels).toBe(first.series[1]?.labels);
    expect([...(again.series[0]?.values ?? [])]).toEqual([2]);
    expect(Object.isFrozen(again.series[0]?.labels)).toBe(true);
    expect(known.size).toBe(2);
    // Eight more queries without pod b (it goes unseen through a whole sweep period of four): it is
    // forgotten, pod a is kept.
    const onlyA = '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"pod":"a"},"values":[]}]}}';
    for (let q = 0; q < 8; q += 1) {
      known.startQuery();
      await readRangeAnswer(onlyA, alwaysDue(), known);
    }
    expect(known.size).toBe(1);
    known.startQuery();
    const later = await readRangeAnswer(answer('3'), alwaysDue(), known);
    expect(later.series[0]?.labels).toBe(first.series[0]?.labels);
    expect(later.series[1]?.labels).not.toBe(first.series[1]?.labels);
    expect(later.series[1]?.labels).toEqual({ pod: 'b' });
  });

  it('gives the event loop a turn between series', async () => {
    const result = Array.from({ length: 500 }, (_, i) => ({
      metric: { service: 'api', pod: `api-${i}` },
      values: Array.from({ length: 20 }, (_, j): [number, string] => [1_700_000_000 + j * 60, String(j / 7)]),
    }));
    const text = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } });
    const slicer = alwaysDue();
    const answer = await readRangeAnswer(text, slicer, new LabelsCache());
    expect(answer.series).toHaveLength(500);
    expect(slicer.pauses).toBeGreaterThanOrEqual(500);
    expect(answer.series.map((s) => ({ labels: s.labels, values: [...s.values] }))).toEqual(
      oracle(text).map((s) => ({ labels: s.labels, values: s.values })),
    );
  });
});

describe('decimal', () => {
  const same = (s: string) => {
    const text = `"${s}"`;
    const got = decimal(text, 1, text.length - 1);
    if (!Object.is(got, Number(s))) throw new Error(`${JSON.stringify(s)}: ${got} but Number() gives ${Number(s)}`);
  };

  it('gives the double Number() gives for every way a number is written', () => {
    for (const s of ['0', '-0', '+0', '1', '-1', '+1', '00012', '1.', '.5', '+.5', '-.5', '1e5', '1E+5', '1e-5'])
      same(s);
    for (const s of ['123456789012345', '1234567890123456', '0.1', '0.2', '0.30000000000000004', '1e22', '1e23'])
      same(s);
    for (const s of ['9007199254740993', '1e-22', '1e-23', '1e308', '1e309', '1e400', '-1e400', '5e-324', '1e-400'])
      same(s);
    for (const s of ['', ' ', ' 1', '1 ', '-', '+', '.', 'e5', '1e', '1e+', '0x10', '0b1', '0o7', '1_0', '1.2.3'])
      same(s);
    for (const s of ['NaN', '+Inf', '-Inf', 'Inf', 'Infinity', '-Infinity', '1e0000000000005', '1.0000000000000000'])
      same(s);
  });

  it('gives the double Number() gives for 200 000 random values in every format', () => {
    // A fixed linear congruential sequence: the same values every run.
    let seed = 12_345;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let k = 0; k < 40_000; k += 1) {
      const magnitude = 10 ** Math.floor(random() * 40 - 20);
      const x = (random() - 0.3) * magnitude;
      same(String(x));
      same(x.toExponential(Math.floor(random() * 17)));
      same(x.toFixed(Math.floor(random() * 12)));
      same(x.toPrecision(1 + Math.floor(random() * 20)));
      same(String(Math.round(x * 1000) / 1000));
    }
  });
});
