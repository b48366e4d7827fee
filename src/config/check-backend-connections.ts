import { appendAll } from '../collections/append-all.js';
import { ErrorCode } from '../errors.js';
import { resolveHttpConnection, type SecretEnv } from '../http/resolve-http-connection.js';
import { ConfigError } from './config-error.js';
import type { VigilConfig } from './config-schema.js';

/**
 * Every variable the backends' auth names is set and every CA file readable, checked for
 * Prometheus and Alertmanager together so that one run lists all of it: start-up and check-config
 * fail here rather than on the first query at 3 a.m.
 */
export function checkBackendConnections(config: VigilConfig, env: SecretEnv, source = 'configuration'): void {
  const problems: string[] = [];
  const prometheus = resolveHttpConnection(config.prometheus, env, 'prometheus');
  if (!prometheus.ok) appendAll(problems, prometheus.problems);
  const { alertmanager } = config.remediation;
  if (alertmanager.url !== undefined) {
    const resolved = resolveHttpConnection({ ...alertmanager, url: alertmanager.url }, env, 'remediation.alertmanager');
    if (!resolved.ok) appendAll(problems, resolved.problems);
  }
  if (problems.length > 0) throw new ConfigError(ErrorCode.ConfigInvalid, source, problems);
}
