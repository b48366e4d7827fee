/**
 * The YAML config file and the environment: defaults, every bad key reported at once with its
 * dotted path, missing files, Slack secrets per mode, and `vigil check-config` exit codes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import {
  ConfigError,
  loadConfig,
  parseConfigText,
  parseEnv,
  requireSlackSecrets,
} from '../../src/config/load-config.js';
import { ErrorCode } from '../../src/errors.js';

const exampleConfig = fileURLToPath(new URL('../../vigil.example.yaml', import.meta.url));

const MINIMAL = `
prometheus:
  url: http://prometheus.local:9090
signals:
  - name: latency_p99
    query: histogram_quantile(0.99, rate(x_bucket[5m]))
`;

/** One file with five independent mistakes; each must be reported with its own path. */
const BROKEN = `
prometheus:
  url: not a url
teams:
  payments:
    channel: "#team-payments"
services:
  - name: payments
    namespace: shop
    team: nobody
  - name: checkout
    namespace: shop
    team: payments
    depends_on: [ghost]
signals:
  - name: Latency-P99
    query: up
detection:
  window_points: 10
  min_points: 20
`;

function catchConfigError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

/** The path part of "path: message" problems. */
function problemPaths(error: ConfigError): string[] {
  return error.problems.map((p) => p.slice(0, p.indexOf(':')));
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeTemp(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('parseConfigText', () => {
  it('fills in every default for a minimal valid file', () => {
    const config = parseConfigText(MINIMAL, 'minimal.yaml');
    expect(config.prometheus).toEqual({
      url: 'http://prometheus.local:9090',
      timeout_ms: 10_000,
      step_seconds: 60,
      compression: 'none',
    });
    expect(config.detection).toEqual({
      window_points: 120,
      min_points: 30,
      zscore_threshold: 5,
      mad_threshold: 6,
      level_shift_threshold: 4,
      level_shift_recent_points: 5,
      seasonal: true,
      seasonal_threshold: 4,
      value_scale: 'sqrt',
      count_noise_floor: 0.75,
      min_score: 0.999,
      record_margin: 1,
      episode_gap_points: 30,
      calibration_min_points: 100,
      calibration_half_life_points: 10_080,
      fresh_seconds: 300,
      absent_after_seconds: 600,
      forget_after_seconds: 86_400,
    });
    expect(config.correlation).toEqual({
      window_seconds: 600,
      max_incident_seconds: 21_600,
      min_anomalies: 2,
      page_min_change: 0.5,
      persistence_points: 15,
      unseasoned_min_services: 2,
      seasonal_min_days: 1,
      unseasoned_change_factor: 2,
      recurring_window_seconds: 1800,
      platform_demand_share: 0.5,
      trusted_requests_per_second: 50,
      resolve_after_quiet_seconds: 1800,
      deploy_grace_seconds: 120,
      maintenance_grace_seconds: 900,
      link_window_seconds: 7200,
      join_hops: 3,
    });
    expect(config.slack).toEqual({ mode: 'socket', port: 3000, default_channel: '#vigil-alerts', timeout_ms: 10_000 });
    expect(config.schedule.detection).toBe('*/1 * * * *');
    expect(config.http.health_port).toBe(8080);
    expect(config.teams).toEqual({});
    expect(config.services).toEqual([]);
    expect(config.log_level).toBe('info');
    expect(config.signals).toEqual([
      {
        name: 'latency_p99',
        query: 'histogram_quantile(0.99, rate(x_bucket[5m]))',
        service_label: 'service',
        direction: 'both',
        unit: 'none',
        role: 'symptom',
        min_abs_deviation: 0,
        per_request: false,
        follows_demand: false,
        smear_points: 1,
      },
    ]);
  });

  it('fills service defaults (tier 2, no dependencies, no runbooks)', () => {
    const config = parseConfigText(
      `${MINIMAL}teams:\n  payments:\n    channel: C0123456789\nservices:\n  - name: payments\n    namespace: shop\n    team: payments\n`,
      'services.yaml',
    );
    expect(config.services).toEqual([
      { name: 'payments', namespace: 'shop', team: 'payments', tier: 2, depends_on: [], runbooks: [] },
    ]);
    expect(config.teams).toEqual({ payments: { channel: 'C0123456789', members: [] } });
  });

  it('lists every bad key with its dotted path at once', () => {
    const error = catchConfigError(() => parseConfigText(BROKEN, 'broken.yaml'));
    expect(error.code).toBe(ErrorCode.ConfigInvalid);
    const paths = problemPaths(error);
    expect(paths).toEqual(
      expect.arrayContaining([
        'prometheus.url',
        'services.0.team',
        'services.1.depends_on.0',
        'detection.min_points',
        'signals.0.name',
      ]),
    );
    expect(error.problems).toHaveLength(5);
    expect(error.problems).toContain('services.0.team: team "nobody" is not defined under teams');
    expect(error.problems).toContain('services.1.depends_on.0: unknown service "ghost"');
    expect(error.problems).toContain('detection.min_points: min_points must not exceed window_points');
    // The message names the source and repeats each problem as a bullet.
    expect(error.message).toMatch(/^broken\.yaml is invalid:\n/);
    for (const problem of error.problems) expect(error.message).toContain(`  - ${problem}`);
  });

  it('bounds the calibration half-life by what its single-precision histograms can count', () => {
    const ok = parseConfigText(`${MINIMAL}\ndetection:\n  calibration_half_life_points: 1000000\n`, 'ok.yaml');
    expect(ok.detection.calibration_half_life_points).toBe(1_000_000);
    const error = catchConfigError(() =>
      parseConfigText(`${MINIMAL}\ndetection:\n  calibration_half_life_points: 1000001\n`, 'long.yaml'),
    );
    expect(problemPaths(error)).toEqual(['detection.calibration_half_life_points']);
  });

  it('forgets a silent series only after reporting it absent (forget_after_seconds > absent_after_seconds)', () => {
    expect(parseConfigText(MINIMAL, 'default.yaml').detection.forget_after_seconds).toBe(86_400);
    const error = catchConfigError(() =>
      parseConfigText(`${MINIMAL}\ndetection:\n  absent_after_seconds: 900\n  forget_after_seconds: 900\n`, 'f.yaml'),
    );
    expect(error.problems).toEqual([
      'detection.forget_after_seconds: forget_after_seconds must exceed absent_after_seconds (a series is reported absent before it is forgotten)',
    ]);
  });

  it('names a team member that is no Slack user id (teams.<name>.members, for the Home tab)', () => {
    const text = `${MINIMAL}
teams:
  ops: { channel: "#ops", members: [U012ABCDEF, "@ana"] }
`;
    const error = catchConfigError(() => parseConfigText(text, 'members.yaml'));
    expect(error.problems).toEqual(['teams.ops.members.1: a Slack user id such as U012ABCDEF']);
  });

  it('checks the remediation allow-list: templates, scope, namespaces, approvers, ids, Alertmanager', () => {
    const text = `${MINIMAL}
teams:
  ops: { channel: "#ops" }
services:
  - name: payments
    namespace: shop
    team: ops
  - name: ledger
    namespace: finance
    team: ops
remediation:
  kubernetes:
    namespaces: [shop]
  actions:
    - id: restart
      title: Restart
      kind: kubernetes.rollout_restart
      services: ["*"]
      approvers: { users: [U0LEAD] }
    - id: restart
      title: Hook
      kind: http.webhook
      services: [payments, ghost]
      approvers: { users: [], groups: [] }
      params:
        url: https://ci.example.com/hook
        body: { who: "{{servce}}" }
    - id: silence
      title: Silence
      kind: alertmanager.silence
      services: [payments]
      approvers: { groups: [not-a-group] }
`;
    const problems = catchConfigError(() => parseConfigText(text, 'r.yaml')).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'remediation.actions.1.approvers: name at least one approver (users or groups): an action nobody may approve can never run',
        expect.stringMatching(
          /^remediation\.actions\.1\.params\.body\.who: unknown template variable "\{\{servce\}\}"/,
        ),
        expect.stringMatching(/^remediation\.actions\.2\.approvers\.groups\.0: a Slack user group id/),
      ]),
    );
    // Cross-reference checks run once the shapes are valid.
    const fixed = text
      .replace('{ users: [], groups: [] }', '{ users: [U0LEAD] }')
      .replace('{{servce}}', '{{service}}')
      .replace('[not-a-group]', '[S0SRE]');
    expect(catchConfigError(() => parseConfigText(fixed, 'r.yaml')).problems).toEqual([
      'remediation.actions.0.params: for service "ledger": namespace "finance" is not in remediation.kubernetes.namespaces (shop)',
      'remediation.actions.1.id: duplicate action id "restart"',
      'remediation.actions.1.services.1: unknown service "ghost"',
      'remediation.alertmanager.url: action "silence" needs an Alertmanager URL',
    ]);
  });

  it('defaults remediation to on, dry run, no automatic actions, 15-minute expiry', () => {
    const config = parseConfigText(MINIMAL, 'minimal.yaml');
    expect(config.remediation).toMatchObject({
      enabled: true,
      dry_run: true,
      auto_enabled: false,
      request_ttl_seconds: 900,
      actions: [],
    });
  });

  it('still lists unknown teams and dependencies when another field has the wrong type', () => {
    const error = catchConfigError(() =>
      parseConfigText(
        `${MINIMAL}
schedule:
  detection: every minute
teams: {}
services:
  - name: api
    namespace: shop
    team: ghosts
    tier: one
    depends_on: [db]
`,
        'x.yaml',
      ),
    );
    expect(problemPaths(error).sort()).toEqual(
      ['schedule.detection', 'services.0.depends_on.0', 'services.0.team', 'services.0.tier'].sort(),
    );
    expect(error.message).toContain('"every minute" is not a cron expression');
  });

  it('reports duplicate services and signals, and requires at least one signal', () => {
    const dup = catchConfigError(() =>
      parseConfigText(
        `${MINIMAL}  - name: latency_p99\n    query: up\nteams:\n  t:\n    channel: "#t"\nservices:\n` +
          '  - { name: a, namespace: n, team: t }\n  - { name: a, namespace: n, team: t }\n',
        'dup.yaml',
      ),
    );
    expect(problemPaths(dup).sort()).toEqual(['services.1.name', 'signals.1.name']);

    const none = catchConfigError(() =>
      parseConfigText('prometheus:\n  url: http://p:9090\nsignals: []\n', 'none.yaml'),
    );
    expect(none.problems).toEqual(['signals: configure at least one signal']);
  });

  it('defaults feedback to 👍/👎 and no digest; takes emoji with or without colons and a digest', () => {
    expect(parseConfigText(MINIMAL, 'minimal.yaml').feedback).toEqual({
      useful_emoji: ['+1', 'thumbsup'],
      noisy_emoji: ['-1', 'thumbsdown'],
    });
    const config = parseConfigText(
      `${MINIMAL}feedback:\n  useful_emoji: [":white_check_mark:", "+1"]\n  noisy_emoji: [x]\n  digest:\n    channel: "#vigil-reports"\n`,
      'feedback.yaml',
    );
    expect(config.feedback).toEqual({
      useful_emoji: ['white_check_mark', '+1'],
      noisy_emoji: ['x'],
      digest: { channel: '#vigil-reports', schedule: '0 9 * * 1' },
    });
  });

  it('names each bad feedback key: an emoji that is no name, one in both lists, the digest channel and schedule', () => {
    const error = catchConfigError(() =>
      parseConfigText(
        `${MINIMAL}feedback:\n  useful_emoji: ["Thumbs Up", "+1"]\n  noisy_emoji: ["+1"]\n` +
          '  digest:\n    channel: reports\n    schedule: weekly\n',
        'feedback.yaml',
      ),
    );
    expect(problemPaths(error).sort()).toEqual([
      'feedback.digest.channel',
      'feedback.digest.schedule',
      'feedback.noisy_emoji.0',
      'feedback.useful_emoji.0',
    ]);
    const overlap = catchConfigError(() =>
      parseConfigText(
        `${MINIMAL}feedback:
  useful_emoji: ["+1"]
  noisy_emoji: [x, ":+1:"]
`,
        'overlap.yaml',
      ),
    );
    expect(overlap.problems).toEqual(['feedback.noisy_emoji.1: "+1" is also a useful_emoji']);
  });

  it('rejects a non-http prometheus url and a bad channel name', () => {
    const error = catchConfigError(() =>
      parseConfigText(
        MINIMAL.replace('http://prometheus.local:9090', 'ftp://prometheus.local') +
          'slack:\n  default_channel: "general"\n',
        'bad.yaml',
      ),
    );
    expect(problemPaths(error).sort()).toEqual(['prometheus.url', 'slack.default_channel']);
  });

  it('accepts an auth block that names environment variables, with headers and a CA file', () => {
    const config = parseConfigText(
      `
prometheus:
  url: https://mimir.example.com/prometheus
  auth:
    bearer_token_env: PROM_TOKEN
  headers:
    X-Scope-OrgID: tenant-a
  headers_env:
    X-Grafana-Org: PROM_ORG
  tls:
    ca_file: /etc/ssl/custom-ca.pem
signals:
  - name: latency_p99
    query: up
remediation:
  alertmanager:
    url: https://alertmanager.example.com
    auth:
      basic: { username_env: AM_USER, password_env: AM_PASSWORD }
`,
      'auth.yaml',
    );
    expect(config.prometheus).toMatchObject({
      auth: { bearer_token_env: 'PROM_TOKEN' },
      headers: { 'X-Scope-OrgID': 'tenant-a' },
      headers_env: { 'X-Grafana-Org': 'PROM_ORG' },
      tls: { ca_file: '/etc/ssl/custom-ca.pem', insecure_skip_verify: false },
    });
    expect(config.remediation.alertmanager.auth).toEqual({
      basic: { username_env: 'AM_USER', password_env: 'AM_PASSWORD' },
    });
  });

  it('refuses secrets written into the file, ambiguous auth and tls on an http url, each with its path', () => {
    const text = `
prometheus:
  url: http://vigil:s3cret@prometheus.local:9090
  auth:
    bearer_token: abc123
  headers:
    Authorization: Bearer abc123
    X-Scope-OrgID: tenant-a
  headers_env:
    X-Scope-OrgID: PROM_TENANT
    X-Bad: not-a-variable
  tls:
    ca_file: /etc/ssl/ca.pem
signals:
  - name: latency_p99
    query: up
remediation:
  alertmanager:
    url: http://alertmanager:9093
    auth:
      bearer_token_env: AM_TOKEN
      basic: { username: vigil, password: hunter2 }
`;
    const problems = catchConfigError(() => parseConfigText(text, 'secrets.yaml')).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'prometheus.url: must not contain credentials; use auth.basic with password_env',
        expect.stringMatching(
          /^prometheus\.auth: unknown key "bearer_token"; use bearer_token_env or basic \(secrets come/,
        ),
        expect.stringMatching(/^prometheus\.headers_env\.X-Bad: an environment variable name/),
        expect.stringMatching(/^remediation\.alertmanager\.auth\.basic: unknown key "password"/),
      ]),
    );
    // Once the shapes are right, the checks across fields.
    const shaped = text
      .replace('vigil:s3cret@', '')
      .replace('bearer_token: abc123', 'bearer_token_env: PROM_TOKEN')
      .replace('X-Bad: not-a-variable', 'X-Bad: BAD')
      .replace('password: hunter2', 'password_env: AM_PASSWORD');
    expect(catchConfigError(() => parseConfigText(shaped, 'secrets.yaml')).problems).toEqual([
      'prometheus.headers.Authorization: credentials do not belong in the file; use auth (bearer_token_env or basic) or headers_env',
      'prometheus.headers.X-Scope-OrgID: also set in headers_env; keep one',
      'prometheus.tls: tls applies to an https:// url',
      'remediation.alertmanager.auth: set exactly one of bearer_token_env and basic',
    ]);
  });

  it('gives a ConfigError for a YAML syntax error', () => {
    const error = catchConfigError(() => parseConfigText('prometheus:\n  url: [http://p:9090\n', 'syntax.yaml'));
    expect(error.code).toBe(ErrorCode.ConfigInvalid);
    expect(error.problems.length).toBeGreaterThan(0);
    expect(error.problems[0]).toMatch(/^YAML syntax: /);
    expect(error.message).toContain('syntax.yaml is invalid');
  });

  it('gives a ConfigError for duplicate keys instead of silently keeping one', () => {
    const error = catchConfigError(() =>
      parseConfigText(`${MINIMAL}prometheus:\n  url: http://other:9090\n`, 'dup-keys.yaml'),
    );
    expect(error.code).toBe(ErrorCode.ConfigInvalid);
    expect(error.problems.join('\n')).toMatch(/YAML syntax: .*unique/i);
  });

  it('treats an empty file as an empty object and reports the required keys', () => {
    const error = catchConfigError(() => parseConfigText('', 'empty.yaml'));
    expect(problemPaths(error).sort()).toEqual(['prometheus', 'signals']);
  });
});

describe('loadConfig', () => {
  it('reads the file named by VIGIL_CONFIG in the env object passed in', () => {
    const path = writeTemp('vigil.yaml', MINIMAL);
    const loaded = loadConfig({ VIGIL_CONFIG: path, SLACK_BOT_TOKEN: 'xoxb-123' });
    expect(loaded.configPath).toBe(path);
    expect(loaded.config.prometheus.url).toBe('http://prometheus.local:9090');
    expect(loaded.env.SLACK_BOT_TOKEN).toBe('xoxb-123');
    expect(loaded.env.VIGIL_DB).toBe('./vigil.db');
  });

  it('names the file in the error when the file is invalid', () => {
    const path = writeTemp('broken.yaml', BROKEN);
    const error = catchConfigError(() => loadConfig({ VIGIL_CONFIG: path }));
    expect(error.code).toBe(ErrorCode.ConfigInvalid);
    expect(error.message).toContain(`${path} is invalid`);
    expect(problemPaths(error)).toContain('services.1.depends_on.0');
  });

  it('gives vigil_config_missing mentioning VIGIL_CONFIG when the file does not exist', () => {
    const path = join(dir, 'does-not-exist.yaml');
    const error = catchConfigError(() => loadConfig({ VIGIL_CONFIG: path }));
    expect(error.code).toBe(ErrorCode.ConfigMissing);
    expect(error.code).toBe('vigil_config_missing');
    expect(error.message).toContain(path);
    expect(error.message).toContain('VIGIL_CONFIG');
    expect(error.problems[0]).toContain('ENOENT');
  });

  it('validates the environment before reading the file', () => {
    const path = writeTemp('ok.yaml', MINIMAL);
    const error = catchConfigError(() => loadConfig({ VIGIL_CONFIG: path, SLACK_BOT_TOKEN: 'xoxp-user-token' }));
    expect(error.code).toBe(ErrorCode.ConfigInvalid);
    expect(problemPaths(error)).toEqual(['SLACK_BOT_TOKEN']);
  });
});

describe('parseEnv', () => {
  it('fills defaults and treats blank secrets as absent', () => {
    const env = parseEnv({ SLACK_BOT_TOKEN: '   ', SLACK_APP_TOKEN: '', PATH: '/usr/bin' });
    expect(env.VIGIL_CONFIG).toBe('./vigil.yaml');
    expect(env.VIGIL_DB).toBe('./vigil.db');
    expect(env.VIGIL_DEMO_CHANNEL).toBe('#vigil-demo');
    expect(env.SLACK_BOT_TOKEN).toBeUndefined();
    expect(env.SLACK_APP_TOKEN).toBeUndefined();
    expect(env.LOG_LEVEL).toBeUndefined();
  });

  it('trims tokens', () => {
    const env = parseEnv({ SLACK_BOT_TOKEN: ' xoxb-1-2 ', SLACK_APP_TOKEN: 'xapp-9\n' });
    expect(env.SLACK_BOT_TOKEN).toBe('xoxb-1-2');
    expect(env.SLACK_APP_TOKEN).toBe('xapp-9');
  });

  it('rejects a bot token that does not start with xoxb-', () => {
    const error = catchConfigError(() => parseEnv({ SLACK_BOT_TOKEN: 'xoxp-user-token' }));
    expect(error.code).toBe(ErrorCode.ConfigInvalid);
    expect(error.problems).toEqual(['SLACK_BOT_TOKEN: a bot token starts with "xoxb-"']);
    expect(error.message).toContain('environment is invalid');
  });

  it('rejects an app token that does not start with xapp- and a bad LOG_LEVEL together', () => {
    const error = catchConfigError(() => parseEnv({ SLACK_APP_TOKEN: 'xoxb-wrong-kind', LOG_LEVEL: 'loud' }));
    expect(problemPaths(error).sort()).toEqual(['LOG_LEVEL', 'SLACK_APP_TOKEN']);
  });

  it('requires SLACK_API_URL to end with "/"', () => {
    const error = catchConfigError(() => parseEnv({ SLACK_API_URL: 'https://slack.example.com/api' }));
    expect(error.problems).toEqual(['SLACK_API_URL: must end with "/", e.g. https://slack.com/api/']);
    expect(parseEnv({ SLACK_API_URL: 'http://127.0.0.1:4000/api/' }).SLACK_API_URL).toBe('http://127.0.0.1:4000/api/');
  });

  it('rejects a SLACK_API_URL that is not http(s)', () => {
    const error = catchConfigError(() => parseEnv({ SLACK_API_URL: 'ftp://slack.example.com/api/' }));
    expect(problemPaths(error)).toEqual(['SLACK_API_URL']);
  });
});

describe('requireSlackSecrets', () => {
  const socketConfig = parseConfigText(MINIMAL, 'socket.yaml');
  const httpConfig = parseConfigText(`${MINIMAL}slack:\n  mode: http\n`, 'http.yaml');

  it('socket mode without SLACK_BOT_TOKEN and SLACK_APP_TOKEN lists both', () => {
    const error = catchConfigError(() => requireSlackSecrets(socketConfig, parseEnv({})));
    expect(error.code).toBe(ErrorCode.SecretsMissing);
    expect(problemPaths(error).sort()).toEqual(['SLACK_APP_TOKEN', 'SLACK_BOT_TOKEN']);
  });

  it('socket mode does not need a signing secret', () => {
    const secrets = requireSlackSecrets(
      socketConfig,
      parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }),
    );
    expect(secrets).toEqual({ botToken: 'xoxb-1', appToken: 'xapp-1' });
  });

  it('http mode needs SLACK_SIGNING_SECRET but not SLACK_APP_TOKEN', () => {
    const error = catchConfigError(() => requireSlackSecrets(httpConfig, parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1' })));
    expect(error.code).toBe(ErrorCode.SecretsMissing);
    expect(problemPaths(error)).toEqual(['SLACK_SIGNING_SECRET']);
  });

  it('http mode with everything returns the secrets, including the API url', () => {
    const secrets = requireSlackSecrets(
      httpConfig,
      parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's3cret', SLACK_API_URL: 'http://127.0.0.1:1/api/' }),
    );
    expect(secrets).toEqual({ botToken: 'xoxb-1', signingSecret: 's3cret', apiUrl: 'http://127.0.0.1:1/api/' });
  });
});

describe('vigil check-config', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function captureOutput() {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err.push(String(chunk));
      return true;
    });
    return { out, err };
  }

  it('returns 0 for the repository example config with the secrets of its mode, and says they are set', async () => {
    const { out, err } = captureOutput();
    const code = await main(['check-config'], {
      VIGIL_CONFIG: exampleConfig,
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
    });
    vi.restoreAllMocks();
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    expect(out.join('')).toBe(
      `${exampleConfig} is valid: 5 services, 3 signals, 3 teams, Slack socket mode.\n` +
        'environment: Slack socket mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN — all set.\n',
    );
  });

  it('returns 78 when the environment lacks what the mode needs, naming only what is missing', async () => {
    const http = writeTemp(
      'cli-http.yaml',
      readFileSync(exampleConfig, 'utf8').replace(/^(\s+)mode: socket$/m, '$1mode: http'),
    );
    const { out, err } = captureOutput();
    const code = await main(['check-config'], {
      VIGIL_CONFIG: http,
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
    });
    vi.restoreAllMocks();
    expect(code).toBe(78);
    expect(out.join('')).toContain('Slack http mode.');
    expect(err.join('')).toBe(
      'vigil: environment: Slack http mode needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET — missing:\n' +
        '  - SLACK_SIGNING_SECRET: required in HTTP mode (Basic Information → Signing Secret)\n',
    );
  });

  it('returns 78 (EX_CONFIG) for a broken file and names the bad keys on stderr', async () => {
    const path = writeTemp('cli-broken.yaml', BROKEN);
    const { out, err } = captureOutput();
    const code = await main(['check-config'], { VIGIL_CONFIG: path });
    vi.restoreAllMocks();
    expect(code).toBe(78);
    expect(out.join('')).toBe('');
    const stderr = err.join('');
    expect(stderr).toContain(`vigil: ${path} is invalid`);
    expect(stderr).toContain('services.0.team');
    expect(stderr).toContain('services.1.depends_on.0');
    expect(stderr).toContain('detection.min_points');
  });

  it('returns 78 naming the field and the variable when a backend secret is unset, or a CA file is not PEM', async () => {
    const notPem = writeTemp('not-a-ca.pem', 'not a certificate\n');
    const path = writeTemp(
      'cli-auth.yaml',
      `prometheus:
  url: https://mimir.example.com/prometheus
  auth: { basic: { username: vigil, password_env: PROM_PASSWORD } }
  tls: { ca_file: ${notPem} }
signals:
  - name: latency_p99
    query: up
remediation:
  alertmanager:
    url: http://alertmanager:9093
    auth: { bearer_token_env: AM_TOKEN }
`,
    );
    const { out, err } = captureOutput();
    const code = await main(['check-config'], { VIGIL_CONFIG: path, PROM_PASSWORD: 'pw' });
    vi.restoreAllMocks();
    expect(code).toBe(78);
    expect(out.join('')).toBe('');
    expect(err.join('')).toBe(
      `vigil: ${path} is invalid:\n` +
        `  - prometheus.tls.ca_file: ${notPem} does not hold a PEM certificate\n` +
        '  - remediation.alertmanager.auth.bearer_token_env: $AM_TOKEN is not set in the environment\n',
    );
  });

  it('returns 78 for a missing file', async () => {
    const { err } = captureOutput();
    const code = await main(['check-config'], { VIGIL_CONFIG: join(dir, 'nope.yaml') });
    vi.restoreAllMocks();
    expect(code).toBe(78);
    expect(err.join('')).toContain('VIGIL_CONFIG');
  });
});
