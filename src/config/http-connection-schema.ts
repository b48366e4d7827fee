/**
 * How Vigil reaches an HTTP backend that may need credentials (Prometheus, Thanos, Mimir,
 * VictoriaMetrics, Grafana Cloud, Alertmanager, or either behind an auth proxy). The file names the
 * environment variables that hold secrets, never the secrets: resolve-http-connection.ts reads them.
 */
import { z } from 'zod';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name like PROM_TOKEN');
// RFC 9110 token characters.
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name like X-Scope-OrgID');
// What Node's HTTP client and fetch accept in a header value: no line breaks (header injection).
const headerValue = z.string().regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'a header value on one line');

/** A typo, or a secret written into the file, must not be dropped silently: the request would go unauthenticated. */
const unknownKey = (allowed: string) => (issue: { code: string; keys?: string[] }) =>
  issue.code === 'unrecognized_keys'
    ? `unknown key ${issue.keys?.map((k) => `"${k}"`).join(', ')}; use ${allowed} (secrets come from the environment: name the variable, never the secret)`
    : undefined;

const BasicAuthSchema = z
  .strictObject(
    {
      /** The user name itself (not a secret for most backends) or... */
      username: z.string().min(1).optional(),
      /** ...the environment variable that holds it (Grafana Cloud's instance id, say). */
      username_env: envName.optional(),
      password_env: envName,
    },
    { error: unknownKey('username or username_env, and password_env') },
  )
  .refine((b) => (b.username === undefined) !== (b.username_env === undefined), {
    message: 'set exactly one of username and username_env',
  })
  // RFC 7617: the user-id cannot contain a colon; it separates the user from the password.
  .refine((b) => !b.username?.includes(':'), {
    message: 'a basic-auth user name cannot contain ":"',
    path: ['username'],
  });

const AuthSchema = z
  .strictObject(
    {
      /** Sent as `Authorization: Bearer <value of the variable>`. */
      bearer_token_env: envName.optional(),
      basic: BasicAuthSchema.optional(),
    },
    { error: unknownKey('bearer_token_env or basic') },
  )
  .refine((a) => (a.bearer_token_env === undefined) !== (a.basic === undefined), {
    message: 'set exactly one of bearer_token_env and basic',
  });

const TlsSchema = z.strictObject(
  {
    /** PEM file of the CA (or bundle) that signed the backend's certificate, added to Node's trusted roots. */
    ca_file: z.string().min(1).optional(),
    /** Accept any certificate: for a lab only, it lets anyone on the path read the credentials. */
    insecure_skip_verify: z.boolean().default(false),
  },
  { error: unknownKey('ca_file or insecure_skip_verify') },
);

/** An http(s) URL without user:password in it: those would show on cards and in logs. */
export const backendUrl = (example: string) =>
  z.url({ protocol: /^https?$/, error: `must be an http(s) URL, e.g. ${example}` }).refine((u) => {
    // zod runs this after a failed URL check too.
    if (!URL.canParse(u)) return true;
    const url = new URL(u);
    return url.username === '' && url.password === '';
  }, 'must not contain credentials; use auth.basic with password_env');

/** Spread into a backend's block next to its `url`; check with `httpConnectionIssues`. */
export const httpConnectionFields = {
  auth: AuthSchema.optional(),
  /** Headers sent as written, e.g. `X-Scope-OrgID: tenant-a` for Mimir, Cortex or Loki. */
  headers: z.record(headerName, headerValue).optional(),
  /** Headers whose value is read from an environment variable (a secret, or a tenant set per deployment). */
  headers_env: z.record(headerName, envName).optional(),
  tls: TlsSchema.optional(),
};

const HttpConnectionSchema = z.object(httpConnectionFields);
export type HttpConnectionConfig = { url: string } & z.infer<typeof HttpConnectionSchema>;

export interface HttpConnectionIssue {
  path: string[];
  message: string;
}

/** Checks across the fields of one backend block; paths are relative to the block. */
export function httpConnectionIssues(block: HttpConnectionConfig): HttpConnectionIssue[] {
  const issues: HttpConnectionIssue[] = [];
  const fromEnv = new Set(Object.keys(block.headers_env ?? {}).map((h) => h.toLowerCase()));
  for (const name of Object.keys(block.headers ?? {})) {
    if (name.toLowerCase() === 'authorization') {
      issues.push({
        path: ['headers', name],
        message: 'credentials do not belong in the file; use auth (bearer_token_env or basic) or headers_env',
      });
    } else if (fromEnv.has(name.toLowerCase())) {
      issues.push({ path: ['headers', name], message: 'also set in headers_env; keep one' });
    }
  }
  for (const name of Object.keys(block.headers_env ?? {})) {
    if (name.toLowerCase() === 'authorization' && block.auth) {
      issues.push({ path: ['headers_env', name], message: 'auth already sets Authorization; keep one' });
    }
  }
  if (block.tls && !block.url.startsWith('https:')) {
    issues.push({ path: ['tls'], message: 'tls applies to an https:// url' });
  }
  return issues;
}
