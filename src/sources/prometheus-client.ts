import { z } from 'zod';
import { compareText } from '../collections/compare-text.js';
import { concatFloat64 } from '../collections/concat-float64.js';
import { ErrorCode, VigilError } from '../errors.js';
import { createTimeSlicer, type TimeSlicer } from '../event-loop/create-time-slicer.js';
import { networkErrorReason } from '../http/network-error-reason.js';
import type { HttpFetch } from '../http/resolve-http-connection.js';
import { LabelsCache } from './labels-cache.js';
import { RangeAnswerError, type RangeSeries, readRangeAnswer } from './read-range-answer.js';

/** Prometheus refuses more than 11 000 points per series in one query_range; stay well under it. */
export const MAX_POINTS_PER_QUERY = 10_000;

// Only the envelope goes through zod: the series are read and checked by read-range-answer.ts (a
// schema per series and per point was most of a large cycle's CPU).
const MatrixResponseSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
    warnings: z.array(z.string()).optional(),
  }),
  z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() }),
]);

export type { RangeSeries } from './read-range-answer.js';

export interface RangeQuery {
  query: string;
  /** Unix seconds, inclusive. */
  start: number;
  end: number;
  stepSeconds: number;
}

export interface PrometheusClientOptions {
  baseUrl: string;
  timeoutMs: number;
  /** The global fetch by default; a TLS one when prometheus.tls is set (resolve-http-connection.ts). */
  fetch?: HttpFetch;
  /** Credentials and tenant headers: never put in a log line or an error message. */
  headers?: Readonly<Record<string, string>>;
  /** `none` (the default) asks for plain answers; fetch would otherwise ask for gzip. */
  compression?: 'none' | 'gzip';
}

export interface PrometheusClient {
  queryRange(query: RangeQuery): Promise<RangeSeries[]>;
}

export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  const doFetch = options.fetch ?? fetch;
  const acceptEncoding = options.compression === 'gzip' ? 'gzip' : 'identity';
  const known = new LabelsCache();
  const endpoint = new URL(
    'api/v1/query_range',
    options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`,
  );

  async function queryChunk(q: RangeQuery, slicer: TimeSlicer): Promise<RangeSeries[]> {
    const body = new URLSearchParams({
      query: q.query,
      start: String(q.start),
      end: String(q.end),
      step: `${q.stepSeconds}s`,
      timeout: `${Math.max(1, Math.floor(options.timeoutMs / 1000))}s`,
    });
    let response: Response;
    let text: string;
    try {
      response = await doFetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'accept-encoding': acceptEncoding,
          ...options.headers,
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      // The body is read under the same timeout: a proxy may send headers and then stall.
      text = await readText(response);
    } catch (error) {
      const timedOut = error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new VigilError(
        timedOut ? ErrorCode.PrometheusTimeout : ErrorCode.PrometheusHttp,
        timedOut
          ? `Prometheus did not answer within ${options.timeoutMs} ms (${endpoint.origin})`
          : `cannot reach Prometheus at ${endpoint.origin}: ${networkErrorReason(error)}`,
        { cause: error },
      );
    }
    if (response.status === 401 || response.status === 403) {
      // Never a PromQL error: authentication (an auth proxy, a multi-tenant backend, Prometheus' own
      // web config) refused the credentials or the tenant. The body is left out: some echo headers.
      throw new VigilError(
        ErrorCode.PrometheusAuth,
        `Prometheus at ${endpoint.origin} refused the credentials (HTTP ${response.status}); check prometheus.auth, ` +
          'prometheus.headers and headers_env, and the environment variables they name',
      );
    }
    const notJson = () =>
      new VigilError(
        response.ok ? ErrorCode.PrometheusGarbage : ErrorCode.PrometheusHttp,
        `Prometheus answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 120)}`,
      );
    const notMatrix = (message: string | undefined) =>
      response.ok
        ? new VigilError(
            ErrorCode.PrometheusGarbage,
            `Prometheus answered a body that is not a range-query matrix: ${message ?? 'invalid'}`,
          )
        : new VigilError(ErrorCode.PrometheusHttp, `Prometheus answered HTTP ${response.status}`);
    // Prometheus answers JSON even for 4xx/5xx; anything else is a proxy page or garbage.
    const answer = await readAnswer(text, slicer, known, notMatrix);
    let json: unknown;
    try {
      json = JSON.parse(answer.envelope);
    } catch {
      throw notJson();
    }
    const parsed = MatrixResponseSchema.safeParse(json);
    if (!parsed.success) throw notMatrix(parsed.error.issues[0]?.message);
    if (parsed.data.status === 'error') {
      throw new VigilError(
        ErrorCode.PrometheusQuery,
        `Prometheus rejected the query (${parsed.data.errorType}, HTTP ${response.status}): ${parsed.data.error}`,
      );
    }
    const { result } = parsed.data.data;
    if (result.length === 0) return answer.series;
    // Series the reader did not find where Prometheus puts them (an odd encoding) came with the
    // envelope: written out again, they are read the one way series are read.
    const odd = `{"data":{"result":${JSON.stringify(result)}}}`;
    return [...(await readAnswer(odd, slicer, known, notMatrix)).series, ...answer.series];
  }

  return {
    async queryRange(q) {
      if (!(q.stepSeconds > 0) || q.end < q.start) throw new Error('queryRange needs step > 0 and end >= start');
      const span = q.stepSeconds * (MAX_POINTS_PER_QUERY - 1);
      const slicer = createTimeSlicer();
      known.startQuery();
      // One query's series are distinct already: only chunks of a long range need matching up.
      if (q.end - q.start <= span) return queryChunk(q, slicer);
      // By content: another backend may write a series' labels in another order from one chunk to
      // the next.
      const merged = new Map<string, { labels: Readonly<Record<string, string>>; parts: RangeSeries[] }>();
      // Chunks run one after another: Prometheus is shared, and a cycle is not in a hurry.
      for (let start = q.start; start <= q.end; start += span + q.stepSeconds) {
        const end = Math.min(q.end, start + span);
        for (const series of await queryChunk({ ...q, start, end }, slicer)) {
          if (slicer.due()) await slicer.pause();
          const key = JSON.stringify(Object.entries(series.labels).sort(([a], [b]) => compareText(a, b)));
          const existing = merged.get(key);
          if (existing) existing.parts.push(series);
          else merged.set(key, { labels: series.labels, parts: [series] });
        }
      }
      // Each series is copied once, however many chunks it came in.
      const out: RangeSeries[] = [];
      for (const { labels, parts } of merged.values()) {
        if (slicer.due()) await slicer.pause();
        out.push({
          labels,
          timestamps: concatFloat64(parts.map((p) => p.timestamps)),
          values: concatFloat64(parts.map((p) => p.values)),
          dropped: parts.reduce((n, p) => n + p.dropped, 0),
        });
      }
      return out;
    },
  };
}

/**
 * The body as text, decoded chunk by chunk as it arrives: `response.text()` decodes the whole body
 * at the end, one block of the event loop that grows with the answer (tens of ms at 5 000 series).
 */
async function readText(response: Response): Promise<string> {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  const parts: string[] = [];
  for await (const chunk of response.body) parts.push(decoder.decode(chunk, { stream: true }));
  parts.push(decoder.decode());
  return parts.join('');
}

/** The answer's series and envelope; a series that is not one is the answer's fault (garbage). */
async function readAnswer(
  text: string,
  slicer: TimeSlicer,
  known: LabelsCache,
  notMatrix: (message: string) => VigilError,
) {
  try {
    return await readRangeAnswer(text, slicer, known);
  } catch (error) {
    if (error instanceof RangeAnswerError) throw notMatrix(error.message);
    throw error;
  }
}
