import { readRangeAnswer } from '/work/main/src/sources/read-range-answer.ts';

const slicer = { due: () => false, pause: async () => {} };
const mk = (nSeries: number, nPts: number, val: (j: number) => string) =>
  JSON.stringify({
    status: 'success',
    data: {
      resultType: 'matrix',
      result: Array.from({ length: nSeries }, (_, i) => ({
        metric: {
          __name__: 'vigil_bench_latency_p99_seconds',
          namespace: 'ns-03',
          service: `ns-03-svc-00${i % 40}`,
          pod: `ns-03-svc-00${i % 40}-pod-${i}`,
        },
        values: Array.from({ length: nPts }, (_, j) => [1796122800 + j * 300, val(j)]),
      })),
    },
  });
const text = mk(500, 400, (j) => String(Math.round((0.2 + 0.05 * Math.sin(j / 10)) * 1e6) / 1e6));
for (let r = 0; r < 30; r++) {
  const t0 = performance.now();
  await readRangeAnswer(text, slicer);
  if (r % 5 === 4) console.log((performance.now() - t0).toFixed(1));
}
