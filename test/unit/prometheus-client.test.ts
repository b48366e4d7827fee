/**
 * The Prometheus query_range client against a real HTTP server on 127.0.0.1: parsing, every kind
 * of failure mapped to its error code, timeouts, and splitting long ranges into chunks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, VigilError } from '../../src/errors.js';
import { renderSignalQuery } from '../../src/sources/create-prometheus-source.js';
import { createPrometheusClient, MAX_POINTS_PER_QUERY, type RangeSeries } from '../../src/sources/prometheus-client.js';

interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  form: URLSearchParams;
}

type Handler = (req: ReceivedRequest, res: ServerResponse) => void;

interface TestServer {
  baseUrl: string;
  requests: ReceivedRequest[];
}

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

async function startServer(handler: Handler): Promise<TestServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
      };
      requests.push(received);
      handler(received, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, requests };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function matrix(result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>) {
  return { status: 'success', data: { resultType: 'matrix', result } };
}

async function rejection(promise: Promise<unknown>): Promise<VigilError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    return error as VigilError;
  }
  throw new Error('expected the promise to reject');
}

const QUERY = { query: 'up{job="api"}', start: 1_700_000_000, end: 1_700_000_120, stepSeconds: 60 };

describe('createPrometheusClient', () => {
  it('posts a form query_range and parses the matrix, dropping NaN and ±Inf', async () => {
    const server = await startServer((_req, res) =>
      sendJson(
        res,
        200,
        matrix([
          {
            metric: { service: 'payments', namespace: 'shop' },
            values: [
              [1_700_000_000, '0.41'],
              [1_700_000_060, 'NaN'],
              [1_700_000_120, '1.5e3'],
            ],
          },
          {
            metric: { service: 'checkout' },
            values: [
              [1_700_000_000, '+Inf'],
              [1_700_000_060, '-Inf'],
              [1_700_000_120, '7'],
            ],
          },
        ]),
      ),
    );
    const client = createPrometheusClient({
      baseUrl: `${server.baseUrl}/prom`,
      timeoutMs: 2000,
      headers: { authorization: 'Bearer t0ken' },
    });
    const series = await client.queryRange(QUERY);

    // Columns in unix milliseconds.
    expect(series).toEqual([
      {
        labels: { service: 'payments', namespace: 'shop' },
        timestamps: Float64Array.of(1_700_000_000_000, 1_700_000_120_000),
        values: Float64Array.of(0.41, 1500),
        dropped: 1,
      },
      {
        labels: { service: 'checkout' },
        timestamps: Float64Array.of(1_700_000_120_000),
        values: Float64Array.of(7),
        dropped: 2,
      },
    ]);

    expect(server.requests).toHaveLength(1);
    const req = server.requests[0];
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/prom/api/v1/query_range');
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req?.headers.authorization).toBe('Bearer t0ken');
    expect(Object.fromEntries(req?.form ?? [])).toEqual({
      query: 'up{job="api"}',
      start: '1700000000',
      end: '1700000120',
      step: '60s',
      timeout: '2s',
    });
  });

  it('accepts a base URL with a trailing slash and an empty result', async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, matrix([])));
    const client = createPrometheusClient({ baseUrl: `${server.baseUrl}/`, timeoutMs: 500 });
    expect(await client.queryRange(QUERY)).toEqual([]);
    expect(server.requests[0]?.url).toBe('/api/v1/query_range');
    expect(server.requests[0]?.form.get('timeout')).toBe('1s');
  });

  it('maps a Prometheus error answer (HTTP 400, JSON) to vigil_prometheus_query with the error text', async () => {
    const server = await startServer((_req, res) =>
      sendJson(res, 400, {
        status: 'error',
        errorType: 'bad_data',
        error: '1:5: parse error: unexpected "}" in label matching',
      }),
    );
    const client = createPrometheusClient({ baseUrl: server.baseUrl, timeoutMs: 2000 });
    const error = await rejection(client.queryRange(QUERY));
    expect(error.code).toBe(ErrorCode.PrometheusQuery);
    expect(error.code).toBe('vigil_prometheus_query');
    expect(error.message).toContain('1:5: parse error: unexpected "}" in label matching');
    expect(error.message).toContain('bad_data');
    expect(error.message).toContain('HTTP 400');
  });

  it('maps HTTP 502 with an HTML body to vigil_prometheus_http', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    });
    const client = createPrometheusClient({ baseUrl: server.baseUrl, timeoutMs: 2000 });
    const error = await rejection(client.queryRange(QUERY));
    expect(error.code).toBe(ErrorCode.PrometheusHttp);
    expect(error.message).toContain('HTTP 502');
    expect(error.message).toContain('502 Bad Gateway');
  });

  it('maps HTTP 503 with JSON that is not a Prometheus answer to vigil_prometheus_http', async () => {
    const server = await startServer((_req, res) => sendJson(res, 503, { message: 'overloaded' }));
    const client = createPrometheusClient({ baseUrl: server.baseUrl, timeoutMs: 2000 });
    const error = await rejection(client.queryRange(QUERY));
    expect(error.code).toBe(ErrorCode.PrometheusHttp);
    expect(error.message).toContain('HTTP 503');
  });

  it.each([401, 403])(
    'maps HTTP %i to vigil_prometheus_auth, leaving out the body that echoes the credentials',
    async (status) => {
      // Some gateways echo the request's headers in their refusal.
      const server = await startServer((req, res) => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(`denied: ${req.headers.authorization} for tenant ${req.headers['x-scope-orgid']}`);
      });
      const client = createPrometheusClient({
        baseUrl: server.baseUrl,
        timeoutMs: 2000,
        headers: { authorization: 'Bearer s3cr3t-t0ken', 'x-scope-orgid': 'tenant-a' },
      });
      const error = await rejection(client.queryRange(QUERY));
      expect(error.code).toBe(ErrorCode.PrometheusAuth);
      expect(error.message).toBe(
        `Prometheus at ${server.baseUrl} refused the credentials (HTTP ${status}); check prometheus.auth, ` +
          'prometheus.headers and headers_env, and the environment variables they name',
      );
      expect(error.message).not.toContain('s3cr3t-t0ken');
    },
  );

  it('maps HTTP 200 with a body that is not JSON to vigil_prometheus_garbage', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('this is not json');
    });
    const client = createPrometheusClient({ baseUrl: server.baseUrl, timeoutMs: 2000 });
    const error = await rejection(client.queryRange(QUERY));
    expect(error.code).toBe(ErrorCode.PrometheusGarbage);
    expect(error.message).toContain('this is not json');
  });

  it.each([
    ['a vector instead of a matrix', { status: 'success', data: { resultType: 'vector', result: [] } }],
    [
      'numbers instead of string values',
      { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1, 2]] }] } },
    ],
    ['no status', { data: { resultType: 'matrix', result: [] } }],
    ['a JSON array', []],
  ])('maps HTTP 200 with JSON of the wrong shape (%s) to vigil_prometheus_garbage', async (_name, body) => {
    const server = await startServer((_req, res) => sendJson(res, 200, body));
    const client = createPrometheusClient({ baseUrl: server.baseUrl, timeoutMs: 2000 });
    const error = await rejection(client.queryRange(QUERY));
    expect(error.code).toBe(ErrorCode.PrometheusGarbage);
  });

  it('gives vigil_prometheus_timeout within about the configured timeout when the server never answers', async () => {
    const server = await startServer(() => {
      // Never answer.
    });
    const client = createPrometheusClient({ baseUrl: server.baseUrl, timeoutMs: 200 });
    const started = performance.now();
    const error = await rejection(client.queryRange(QUERY));
    const elapsed = performance.now() - started;
    expect(error.code).toBe(ErrorCode.PrometheusTimeout);
    expect(error.message).toContain('200 ms');
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(1500);
    expect(server.requests).toHaveLength(1);
  });

  it('gives vigil_prometheus_timeout when the server sends headers and then stalls the body', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":"success","data":{"resultType":"matrix","result":[');
      // ...and never finishes.
    });
    const client = createPrometheusClient({ baseUrl: server.baseUrl, timeoutMs: 200 });
    const started = performance.now();
    const error = await rejection(client.queryRange(QUERY));
    expect(error.code).toBe(ErrorCode.PrometheusTimeout);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('maps connection refused to vigil_prometheus_http', async () => {
    // Take a free port, then close the server so nothing listens on it.
    const server = await startServer(() => {});
    const url = server.baseUrl;
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()));
    const client = createPrometheusClient({ baseUrl: url, timeoutMs: 2000 });
    const error = await rejection(client.queryRange(QUERY));
    expect(error.code).toBe(ErrorCode.PrometheusHttp);
    expect(error.message).toContain(url);
  });

  it('refuses a range with end before start or a non-positive step without calling the server', async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, matrix([])));
    const client = createPrometheusClient({ baseUrl: server.baseUrl, timeoutMs: 500 });
    await expect(client.queryRange({ ...QUERY, end: QUERY.start - 60 })).rejects.toThrow(/end >= start/);
    await expect(client.queryRange({ ...QUERY, stepSeconds: 0 })).rejects.toThrow(/step > 0/);
    expect(server.requests).toHaveLength(0);
  });

  it('splits a long range into contiguous chunks of at most MAX_POINTS_PER_QUERY points and merges series', async () => {
    const step = 60;
    const start = 1_700_000_000;
    const end = start + 20_000 * step; // 20 001 points
    let call = 0;
    const server = await startServer((req, res) => {
      const s = Number(req.form.get('start'));
      const e = Number(req.form.get('end'));
      const st = Number.parseInt(req.form.get('step') ?? '', 10);
      const all: Array<[number, string]> = [];
      for (let t = s; t <= e; t += st) all.push([t, String((t - start) / st)]);
      call += 1;
      // Label order differs between chunks: still the same series. "b" only exists in the first
      // two chunks, and the second point of each chunk (when it has one) is NaN and dropped.
      const a = call % 2 === 0 ? { service: 'a', namespace: 'shop' } : { namespace: 'shop', service: 'a' };
      const result = [
        { metric: a, values: all.map(([t, v], i): [number, string] => [t, i === 1 ? 'NaN' : v]) },
        ...(call <= 2 ? [{ metric: { service: 'b' }, values: [[s, '1'] as [number, string]] }] : []),
      ];
      sendJson(res, 200, matrix(result));
    });
    const client = createPrometheusClient({ baseUrl: server.baseUrl, timeoutMs: 5000 });
    const series = await client.queryRange({ query: 'x', start, end, stepSeconds: step });

    const chunks = server.requests.map((r) => ({
      start: Number(r.form.get('start')),
      end: Number(r.form.get('end')),
      step: r.form.get('step'),
    }));
    expect(chunks.length).toBe(3);
    for (const chunk of chunks) {
      expect(chunk.step).toBe('60s');
      expect((chunk.end - chunk.start) / step + 1).toBeLessThanOrEqual(MAX_POINTS_PER_QUERY);
      expect(Number.isInteger((chunk.end - chunk.start) / step)).toBe(true);
    }
    expect(chunks[0]?.start).toBe(start);
    expect(chunks.at(-1)?.end).toBe(end);
    for (let i = 1; i < chunks.length; i += 1) {
      // Contiguous: the next chunk starts one step after the previous one ended (no gap, no overlap).
      expect(chunks[i]?.start).toBe((chunks[i - 1]?.end ?? Number.NaN) + step);
    }
    const covered = chunks.reduce((n, c) => n + (c.end - c.start) / step + 1, 0);
    expect(covered).toBe(20_001);

    expect(series).toHaveLength(2);
    const a = series.find((s) => s.labels.service === 'a') as RangeSeries;
    const b = series.find((s) => s.labels.service === 'b') as RangeSeries;
    // The last chunk holds a single point, so only the first two chunks had a NaN.
    expect(a.dropped).toBe(2);
    expect(a.timestamps).toHaveLength(20_001 - 2);
    expect(a.values).toHaveLength(20_001 - 2);
    const timestamps = [...a.timestamps];
    for (let i = 1; i < timestamps.length; i += 1) {
      expect(timestamps[i]).toBeGreaterThan(timestamps[i - 1] ?? Number.POSITIVE_INFINITY);
    }
    expect([a.timestamps[0], a.values[0]]).toEqual([start * 1000, 0]);
    expect([a.timestamps.at(-1), a.values.at(-1)]).toEqual([end * 1000, 20_000]);
    // Each value is the index of its step: nothing was lost or shifted where chunks meet.
    for (let i = 0; i < timestamps.length; i += 1) {
      expect(a.values[i]).toBe(((timestamps[i] as number) / 1000 - start) / step);
    }
    expect(b).toEqual({
      labels: { service: 'b' },
      timestamps: Float64Array.of((chunks[0]?.start ?? 0) * 1000, (chunks[1]?.start ?? 0) * 1000),
      values: Float64Array.of(1, 1),
      dropped: 0,
    });
  });

  it('sends a range of exactly MAX_POINTS_PER_QUERY points in one query', async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, matrix([])));
    const client = createPrometheusClient({ baseUrl: server.baseUrl, timeoutMs: 500 });
    const start = 1_700_000_000;
    await client.queryRange({ query: 'x', start, end: start + (MAX_POINTS_PER_QUERY - 1) * 30, stepSeconds: 30 });
    expect(server.requests).toHaveLength(1);
    await client.queryRange({ query: 'x', start, end: start + MAX_POINTS_PER_QUERY * 30, stepSeconds: 30 });
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2]?.form.get('start')).toBe(String(start + MAX_POINTS_PER_QUERY * 30));
  });

  it('stops at the first failing chunk', async () => {
    const server = await startServer((req, res) => {
      if (req.form.get('start') === '1700000000') sendJson(res, 200, matrix([]));
      else sendJson(res, 422, { status: 'error', errorType: 'execution', error: 'too many samples' });
    });
    const client = createPrometheusClient({ baseUrl: server.baseUrl, timeoutMs: 500 });
    const error = await rejection(
      client.queryRange({ query: 'x', start: 1_700_000_000, end: 1_700_000_000 + 30_000 * 60, stepSeconds: 60 }),
    );
    expect(error.code).toBe(ErrorCode.PrometheusQuery);
    expect(error.message).toContain('too many samples');
    expect(server.requests).toHaveLength(2);
  });
});

describe('renderSignalQuery', () => {
  it('replaces every {{step}} and {{namespaces}}', () => {
    expect(
      renderSignalQuery(
        'rate(x{namespace=~"{{namespaces}}"}[{{step}}]) / rate(y{namespace=~"{{namespaces}}"}[{{step}}])',
        60,
        ['shop', 'payments'],
      ),
    ).toBe('rate(x{namespace=~"shop|payments"}[60s]) / rate(y{namespace=~"shop|payments"}[60s])');
  });

  it('escapes regex characters in namespace names', () => {
    expect(renderSignalQuery('{{namespaces}}', 30, ['team.a', 'b+c', 'd(e)', 'f|g', 'h[i]', 'j$'])).toBe(
      'team\\.a|b\\+c|d\\(e\\)|f\\|g|h\\[i\\]|j\\$',
    );
  });

  it('matches any namespace when none are configured', () => {
    expect(renderSignalQuery('up{namespace=~"{{namespaces}}"}', 15, [])).toBe('up{namespace=~".+"}');
  });

  it('leaves a query without placeholders unchanged', () => {
    expect(renderSignalQuery('sum(rate(http_requests_total[5m]))', 60, ['shop'])).toBe(
      'sum(rate(http_requests_total[5m]))',
    );
  });
});
