import { z } from 'zod';
import { appendAll } from '../collections/append-all.js';
import { ErrorCode, VigilError } from '../errors.js';
import { networkErrorReason } from '../http/network-error-reason.js';
import type { HttpFetch } from '../http/resolve-http-connection.js';

/** Prometheus refuses more than 11 000 points per series in one query_range; stay well under it. */
export const MAX_POINTS_PER_QUERY = 10_000;

const SampleValueSchema = z.tuple([z.number(), z.string()]);
const MatrixResponseSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.object({
      resultType: z.literal('matrix'),
      result: z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(SampleValueSchema) })),
    }),
    warnings: z.array(z.string()).optional(),
  }),
  z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() }),
]);

export interface RangeSeries {
  labels: Record<string, string>;
  /** [unix seconds, value]; non-finite values (NaN, ±Inf) are dropped and counted in `dropped`. */
  points: Array<[number, number]>;
  dropped: number;
}

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
}

export interface PrometheusClient {
  queryRange(query: RangeQuery): Promise<RangeSeries[]>;
}

export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  const doFetch = options.fetch ?? fetch;
  const endpoint = new URL(
    'api/v1/query_range',
    options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`,
  );

  async function queryChunk(q: RangeQuery): Promise<RangeSeries[]> {
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
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      // The body is read under the same timeout: a proxy may send headers and then stall.
      text = await response.text();
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
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // Prometheus answers JSON even for 4xx/5xx; anything else is a proxy page or garbage.
      throw new VigilError(
        response.ok ? ErrorCode.PrometheusGarbage : ErrorCode.PrometheusHttp,
        `Prometheus answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 120)}`,
      );
    }
    const parsed = MatrixResponseSchema.safeParse(json);
    if (!parsed.success) {
      if (!response.ok) throw new VigilError(ErrorCode.PrometheusHttp, `Prometheus answered HTTP ${response.status}`);
      throw new VigilError(
        ErrorCode.PrometheusGarbage,
        `Prometheus answered a body that is not a range-query matrix: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    }
    if (parsed.data.status === 'error') {
      throw new VigilError(
        ErrorCode.PrometheusQuery,
        `Prometheus rejected the query (${parsed.data.errorType}, HTTP ${response.status}): ${parsed.data.error}`,
      );
    }
    return parsed.data.data.result.map((series) => {
      const points: Array<[number, number]> = [];
      let dropped = 0;
      for (const [ts, raw] of series.values) {
        const value = Number(raw);
        if (Number.isFinite(value)) points.push([ts, value]);
        else dropped += 1;
      }
      return { labels: series.metric, points, dropped };
    });
  }

  return {
    async queryRange(q) {
      if (!(q.stepSeconds > 0) || q.end < q.start) throw new Error('queryRange needs step > 0 and end >= start');
      const span = q.stepSeconds * (MAX_POINTS_PER_QUERY - 1);
      const merged = new Map<string, RangeSeries>();
      // Chunks run one after another: Prometheus is shared, and a cycle is not in a hurry.
      for (let start = q.start; start <= q.end; start += span + q.stepSeconds) {
        const end = Math.min(q.end, start + span);
        for (const series of await queryChunk({ ...q, start, end })) {
          const key = JSON.stringify(Object.entries(series.labels).sort(([a], [b]) => a.localeCompare(b)));
          const existing = merged.get(key);
          if (existing) {
            appendAll(existing.points, series.points);
            existing.dropped += series.dropped;
          } else merged.set(key, series);
        }
      }
      return [...merged.values()];
    },
  };
}
