/**
 * Turns a backend's connection block (auth, headers, headers_env, tls) and the environment into the
 * headers and the fetch its client sends with. One implementation for Prometheus and Alertmanager.
 */

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-error.js';
import type { HttpConnectionConfig } from '../config/http-connection-schema.js';
import { ErrorCode } from '../errors.js';
import { createTlsFetch } from './create-tls-fetch.js';

/** The part of fetch the backend clients use; the global fetch is one. */
export type HttpFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface HttpConnection {
  /** Lower-case names. Values may be secrets: never log them or put them in an error. */
  headers: Record<string, string>;
  /** Only when the block has tls; otherwise the client's own (global) fetch. */
  fetch?: HttpFetch;
}

export type SecretEnv = Readonly<Record<string, string | undefined>>;

export type ConnectionResolution = { ok: true; connection: HttpConnection } | { ok: false; problems: string[] };

// Same rule as the schema's plain header values; a secret with a line break would be refused by
// fetch with the value in its message.
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * `path` is the block's dotted path in the file (e.g. "remediation.alertmanager"), so a problem
 * names the field and the variable: "prometheus.auth.bearer_token_env: $PROM_TOKEN is not set".
 */
export function resolveHttpConnection(block: HttpConnectionConfig, env: SecretEnv, path: string): ConnectionResolution {
  const problems: string[] = [];
  const fromEnv = (field: string, name: string): string => {
    // Mounted secret files often end in a newline; a header cannot.
    const value = env[name]?.trim() ?? '';
    if (value === '') problems.push(`${path}.${field}: $${name} is not set in the environment`);
    else if (!headerValue.test(value)) {
      problems.push(`${path}.${field}: $${name} holds a character an HTTP header cannot carry (a line break?)`);
    }
    return value;
  };

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(block.headers ?? {})) headers[name.toLowerCase()] = value;
  for (const [name, variable] of Object.entries(block.headers_env ?? {})) {
    headers[name.toLowerCase()] = fromEnv(`headers_env.${name}`, variable);
  }
  const { auth } = block;
  if (auth?.bearer_token_env)
    headers.authorization = `Bearer ${fromEnv('auth.bearer_token_env', auth.bearer_token_env)}`;
  if (auth?.basic) {
    const { basic } = auth;
    const username = basic.username ?? fromEnv('auth.basic.username_env', basic.username_env ?? '');
    if (username.includes(':')) {
      problems.push(
        `${path}.auth.basic.username_env: $${basic.username_env} contains ":", which basic auth cannot carry`,
      );
    }
    const password = fromEnv('auth.basic.password_env', basic.password_env);
    headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  let fetch: HttpFetch | undefined;
  if (block.tls) {
    let ca: string | undefined;
    const caFile = block.tls.ca_file;
    if (caFile !== undefined) {
      try {
        ca = readFileSync(caFile, 'utf8');
        // Fails on anything that is not PEM; Node would otherwise accept it and trust nothing.
        new X509Certificate(ca);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        problems.push(
          ca === undefined
            ? `${path}.tls.ca_file: cannot read ${caFile} (${code ?? 'error'})`
            : `${path}.tls.ca_file: ${caFile} does not hold a PEM certificate`,
        );
      }
    }
    fetch = createTlsFetch({
      ...(ca !== undefined ? { ca } : {}),
      rejectUnauthorized: !block.tls.insecure_skip_verify,
    });
  }

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, connection: { headers, ...(fetch ? { fetch } : {}) } };
}

/** Like resolveHttpConnection, for building a client at start-up: a problem is a config error. */
export function requireHttpConnection(block: HttpConnectionConfig, env: SecretEnv, path: string): HttpConnection {
  const resolved = resolveHttpConnection(block, env, path);
  if (!resolved.ok) throw new ConfigError(ErrorCode.ConfigInvalid, 'configuration', resolved.problems);
  return resolved.connection;
}

/** The headers and fetch a backend client takes; a fetch passed in (tests) wins over the TLS one. */
export function clientConnection(
  connection: HttpConnection,
  fetchOverride?: HttpFetch,
): { headers: Record<string, string>; fetch?: HttpFetch } {
  const fetch = fetchOverride ?? connection.fetch;
  return { headers: connection.headers, ...(fetch ? { fetch } : {}) };
}
