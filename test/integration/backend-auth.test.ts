/**
 * Backends that need credentials: a real Prometheus and a real Alertmanager behind a small local
 * auth proxy (http or https with a test CA) that answers 401 unless the bearer token, basic
 * credentials or tenant header are exactly right. Vigil reads each secret from the environment.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { ConfigError, parseEnv } from '../../src/config/load-config.js';
import { RemediationConfigSchema } from '../../src/config/remediation-schema.js';
import { ErrorCode, VigilError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { startVigil } from '../../src/main.js';
import { createExecutors } from '../../src/remediation/executors/create-executors.js';
import { createPrometheusClient } from '../../src/sources/prometheus-client.js';
import { type AuthProxy, type AuthProxyOptions, startAuthProxy } from '../helpers/auth-proxy.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { type RealAlertmanager, startRealAlertmanager } from '../helpers/real-alertmanager.js';
import { type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';
import { createTestCertificates, type TestCertificates } from '../helpers/test-certificates.js';

const TOKEN = 'prom-token-5f1d8e2a9c';
const WRONG_TOKEN = 'revoked-token-77ab31';
const TENANT = 'tenant-a';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('Prometheus and Alertmanager behind an auth proxy', () => {
  let prometheus: RealPrometheus;
  let alertmanager: RealAlertmanager;
  let slack: FakeSlack;
  let certs: TestCertificates;
  let dir: string;
  const proxies: AuthProxy[] = [];
  const end = Math.floor(Date.now() / 60_000) * 60 - 3600;
  let vigilCount = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-auth-'));
    const points: Array<[number, number]> = [];
    for (let t = end - 7200; t <= end; t += 60) points.push([t, 0.3 + ((t / 60) % 7) * 0.001]);
    [prometheus, alertmanager, slack, certs] = await Promise.all([
      startRealPrometheus([{ name: 'svc_latency', labels: { service: 'api' }, points }]),
      startRealAlertmanager(),
      startFakeSlack(),
      createTestCertificates(dir),
    ]);
  });

  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await slack?.close();
    await prometheus?.stop();
    await alertmanager?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function proxy(options: AuthProxyOptions): Promise<AuthProxy> {
    const started = await startAuthProxy(options);
    proxies.push(started);
    return started;
  }

  /** Starts Vigil with this prometheus block and environment, runs one cycle, stops; returns what it logged. */
  async function cycleWith(block: Record<string, unknown>, secretEnv: Record<string, string>) {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    vigilCount += 1;
    const vigil = await startVigil({
      config: ConfigSchema.parse({
        prometheus: { timeout_ms: 3000, ...block },
        slack: { mode: 'http', port: 0 },
        http: { health_port: 0 },
        teams: { core: { channel: '#core' } },
        services: [{ name: 'api', namespace: 'prod', team: 'core' }],
        signals: [{ name: 'latency_p99', query: 'svc_latency' }],
      }),
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-x',
        SLACK_SIGNING_SECRET: 'auth-test-secret',
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: join(dir, `v${vigilCount}.db`),
      }),
      logger: createLogger({ level: 'debug', destination }),
      now: () => new Date(end * 1000),
      schedule: false,
      slackRetries: 0,
      host: '127.0.0.1',
      secretEnv,
    });
    try {
      const outcome = await vigil.runCycle();
      return { outcome, logs: lines.join('') };
    } finally {
      await vigil.stop();
    }
  }

  it('reads Prometheus through a proxy that demands a bearer token from the environment and a tenant header', async () => {
    const gate = await proxy({
      target: prometheus.url,
      require: { authorization: `Bearer ${TOKEN}`, 'x-scope-orgid': TENANT },
    });
    const { outcome, logs } = await cycleWith(
      { url: gate.url, auth: { bearer_token_env: 'PROM_TOKEN' }, headers: { 'X-Scope-OrgID': TENANT } },
      { PROM_TOKEN: `${TOKEN}\n` },
    );
    expect(outcome?.errors).toEqual([]);
    expect(outcome?.status).toBe('ok');
    expect(outcome?.series_scored).toBe(1);
    expect(outcome?.samples).toBeGreaterThan(60);
    expect(gate.requests.length).toBeGreaterThan(0);
    expect(gate.requests.every((r) => r.forwarded)).toBe(true);
    expect(logs).not.toContain(TOKEN);
  });

  it('a refused token fails the cycle with vigil_prometheus_auth, and no log line or error holds the token', async () => {
    const gate = await proxy({
      target: prometheus.url,
      require: { authorization: `Bearer ${TOKEN}`, 'x-scope-orgid': TENANT },
    });
    const { outcome, logs } = await cycleWith(
      { url: gate.url, auth: { bearer_token_env: 'PROM_TOKEN' }, headers: { 'X-Scope-OrgID': TENANT } },
      { PROM_TOKEN: WRONG_TOKEN },
    );
    expect(outcome?.status).toBe('failed');
    expect(outcome?.errors.join('\n')).toContain(
      `Prometheus at ${gate.url} refused the credentials (HTTP 401); check prometheus.auth`,
    );
    expect(logs).toContain('"code":"vigil_prometheus_auth"');
    expect(logs).not.toContain(WRONG_TOKEN);
    expect(outcome?.errors.join('\n')).not.toContain(WRONG_TOKEN);

    // No credentials at all: the same coded error.
    const bare = createPrometheusClient({ baseUrl: gate.url, timeoutMs: 3000 });
    const error = await bare.queryRange({ query: 'svc_latency', start: end - 600, end, stepSeconds: 60 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe(ErrorCode.PrometheusAuth);
  });

  it('sends basic auth, the user name from the file or the environment and the password from the environment', async () => {
    const gate = await proxy({
      target: prometheus.url,
      require: { authorization: basic('vigil', 'pa55-w0rd'), 'x-scope-orgid': TENANT },
    });
    const fromFile = await cycleWith(
      {
        url: gate.url,
        auth: { basic: { username: 'vigil', password_env: 'PROM_PASSWORD' } },
        headers_env: { 'X-Scope-OrgID': 'PROM_TENANT' },
      },
      { PROM_PASSWORD: 'pa55-w0rd', PROM_TENANT: TENANT },
    );
    expect(fromFile.outcome?.status).toBe('ok');
    expect(fromFile.outcome?.samples).toBeGreaterThan(60);
    const fromEnv = await cycleWith(
      {
        url: gate.url,
        auth: { basic: { username_env: 'PROM_USER', password_env: 'PROM_PASSWORD' } },
        headers: { 'X-Scope-OrgID': TENANT },
      },
      { PROM_USER: 'vigil', PROM_PASSWORD: 'pa55-w0rd' },
    );
    expect(fromEnv.outcome?.status).toBe('ok');
    expect(gate.requests.every((r) => r.forwarded)).toBe(true);
    expect(fromFile.logs + fromEnv.logs).not.toContain('pa55-w0rd');
  });

  it('trusts an https proxy signed by a private CA with tls.ca_file, and only with it', async () => {
    const gate = await proxy({
      target: prometheus.url,
      require: { authorization: `Bearer ${TOKEN}` },
      tls: { cert: certs.cert, key: certs.key },
    });
    const { outcome } = await cycleWith(
      { url: gate.url, auth: { bearer_token_env: 'PROM_TOKEN' }, tls: { ca_file: certs.caFile } },
      { PROM_TOKEN: TOKEN },
    );
    expect(outcome?.errors).toEqual([]);
    expect(outcome?.status).toBe('ok');
    expect(outcome?.samples).toBeGreaterThan(60);

    // Without the CA the certificate is not trusted, and the error says so.
    const untrusting = await cycleWith(
      { url: gate.url, auth: { bearer_token_env: 'PROM_TOKEN' } },
      { PROM_TOKEN: TOKEN },
    );
    expect(untrusting.outcome?.status).toBe('failed');
    expect(untrusting.outcome?.errors.join('\n')).toContain(
      `cannot reach Prometheus at ${gate.url}: UNABLE_TO_VERIFY_LEAF_SIGNATURE (unable to verify the first certificate)`,
    );
    // The request that reached the proxy was the one with the CA: the other never got past TLS.
    expect(gate.requests.every((r) => r.forwarded)).toBe(true);
  });

  it('insecure_skip_verify accepts the certificate without its CA', async () => {
    const gate = await proxy({ target: prometheus.url, require: {}, tls: { cert: certs.cert, key: certs.key } });
    const { outcome } = await cycleWith({ url: gate.url, tls: { insecure_skip_verify: true } }, {});
    expect(outcome?.status).toBe('ok');
    expect(outcome?.samples).toBeGreaterThan(60);
  });

  it('an https backend that accepts a query and never answers times out at timeout_ms', async () => {
    const stalled = createServer({ cert: certs.cert, key: certs.key }, () => {
      // Never answer.
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(stalled.address() as AddressInfo).port}`;
      const started = performance.now();
      const { outcome } = await cycleWith({ url, timeout_ms: 400, tls: { ca_file: certs.caFile } }, {});
      expect(outcome?.status).toBe('failed');
      expect(outcome?.errors.join('\n')).toContain(`Prometheus did not answer within 400 ms (${url})`);
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      stalled.closeAllConnections();
      await new Promise<void>((resolve) => stalled.close(() => resolve()));
    }
  });

  it('creates a silence in Alertmanager behind an https auth proxy with the configured token and tenant', async () => {
    const gate = await proxy({
      target: alertmanager.url,
      require: { authorization: `Bearer ${TOKEN}`, 'x-scope-orgid': TENANT },
      tls: { cert: certs.cert, key: certs.key },
    });
    const silence = {
      kind: 'alertmanager.silence' as const,
      matchers: { service: 'api', namespace: 'prod' },
      duration_seconds: 600,
      comment: 'auth test',
    };
    const context = { requestId: 'req-1', approvedBy: 'U0LEAD' };
    const executors = (alertmanagerBlock: Record<string, unknown>) =>
      createExecutors({
        remediation: RemediationConfigSchema.parse({
          alertmanager: { url: gate.url, timeout_ms: 3000, tls: { ca_file: certs.caFile }, ...alertmanagerBlock },
        }),
        secretEnv: { AM_TOKEN: TOKEN, AM_TENANT: TENANT },
      });

    const refused = executors({});
    await expect(refused.execute(silence, context)).rejects.toThrow(
      'Alertmanager refused the credentials (HTTP 401); check remediation.alertmanager.auth',
    );
    expect(await alertmanager.silences()).toHaveLength(0);

    const authorized = executors({
      auth: { bearer_token_env: 'AM_TOKEN' },
      headers_env: { 'X-Scope-OrgID': 'AM_TENANT' },
    });
    expect(await authorized.execute(silence, context)).toMatch(
      /^Silence \S+ created for \{service="api", namespace="prod"\}/,
    );
    const silences = await alertmanager.silences();
    expect(silences).toHaveLength(1);
    expect(silences[0]?.createdBy).toBe('vigil (approved by U0LEAD)');
    expect(gate.requests.map((r) => r.forwarded)).toEqual([false, true]);
  });

  it('start-up fails before anything opens, naming each unset variable and the unreadable CA file', async () => {
    const attempt = startVigil({
      config: ConfigSchema.parse({
        prometheus: {
          url: 'https://mimir.example.com/prometheus',
          auth: { bearer_token_env: 'PROM_TOKEN' },
          headers_env: { 'X-Scope-OrgID': 'PROM_TENANT' },
          tls: { ca_file: join(dir, 'no-such-ca.pem') },
        },
        slack: { mode: 'http', port: 0 },
        http: { health_port: 0 },
        signals: [{ name: 'latency_p99', query: 'x' }],
        remediation: {
          alertmanager: {
            url: 'http://alertmanager.example.com:9093',
            auth: { basic: { username: 'vigil', password_env: 'AM_PASSWORD' } },
          },
        },
      }),
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-x',
        SLACK_SIGNING_SECRET: 'auth-test-secret',
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: join(dir, 'never.db'),
      }),
      logger: createLogger({ level: 'silent' }),
      schedule: false,
      slackRetries: 0,
      host: '127.0.0.1',
      secretEnv: { PROM_TENANT: '' },
    });
    const error = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'prometheus.headers_env.X-Scope-OrgID: $PROM_TENANT is not set in the environment',
      'prometheus.auth.bearer_token_env: $PROM_TOKEN is not set in the environment',
      `prometheus.tls.ca_file: cannot read ${join(dir, 'no-such-ca.pem')} (ENOENT)`,
      'remediation.alertmanager.auth.basic.password_env: $AM_PASSWORD is not set in the environment',
    ]);
    // It failed before the database was created.
    expect(existsSync(join(dir, 'never.db'))).toBe(false);
  });
});
