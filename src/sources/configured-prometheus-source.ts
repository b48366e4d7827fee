import type { VigilConfig } from '../config/config-schema.js';
import { clientConnection, requireHttpConnection } from '../http/resolve-http-connection.js';
import type { Logger } from '../logger.js';
import { createPrometheusSource } from './create-prometheus-source.js';
import { createPrometheusClient, type PrometheusClient } from './prometheus-client.js';
import type { SampleSource } from './sample-source.js';
import { createServiceOwnership } from './service-ownership.js';

type PrometheusConfig = Pick<VigilConfig, 'prometheus'>;

/**
 * The Prometheus API at `prometheus.url` with its auth and TLS (secrets from `secretEnv`); a
 * `fetch` passed in (tests) replaces the network.
 */
export function configuredPrometheusClient(
  config: PrometheusConfig,
  secretEnv: Readonly<Record<string, string | undefined>>,
  fetch?: typeof globalThis.fetch,
): PrometheusClient {
  return createPrometheusClient({
    baseUrl: config.prometheus.url,
    timeoutMs: config.prometheus.timeout_ms,
    compression: config.prometheus.compression,
    ...clientConnection(requireHttpConnection(config.prometheus, secretEnv, 'prometheus'), fetch),
  });
}

/**
 * The signals' source as the config describes it, services not under `services:` included (with
 * their owners from labels, see service-ownership.ts).
 */
export function configuredPrometheusSource(
  config: Pick<VigilConfig, 'prometheus' | 'services' | 'discovery' | 'ownership'>,
  secretEnv: Readonly<Record<string, string | undefined>>,
  fetch?: typeof globalThis.fetch,
  logger?: Logger,
): SampleSource {
  const client = configuredPrometheusClient(config, secretEnv, fetch);
  const ownership = createServiceOwnership({
    config: config.ownership,
    maxServices: config.discovery.max_services,
    client,
    stepSeconds: config.prometheus.step_seconds,
    ...(logger ? { logger } : {}),
  });
  return createPrometheusSource(client, config.services, {
    config: config.discovery,
    ownership,
    onLimit: (max) =>
      logger?.warn(
        { max_services: max },
        'more services than discovery.max_services: series of further services not under services: are dropped',
      ),
  });
}
