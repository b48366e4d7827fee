import type { VigilConfig } from '../config/config-schema.js';
import { clientConnection, requireHttpConnection } from '../http/resolve-http-connection.js';
import { createPrometheusSource } from './create-prometheus-source.js';
import { createPrometheusClient, type PrometheusClient } from './prometheus-client.js';
import type { SampleSource } from './sample-source.js';

/**
 * The signals' source as the config describes it: the Prometheus API at `prometheus.url` with its
 * auth and TLS (secrets from `secretEnv`); a `fetch` passed in (tests) replaces the network.
 */
export function configuredPrometheusSource(
  config: Pick<VigilConfig, 'prometheus' | 'services'>,
  secretEnv: Readonly<Record<string, string | undefined>>,
  fetch?: typeof globalThis.fetch,
): SampleSource {
  return createPrometheusSource(configuredPrometheusClient(config, secretEnv, fetch), config.services);
}

/** The Prometheus API at `prometheus.url` with its timeout, auth and TLS: signals and service graphs alike. */
export function configuredPrometheusClient(
  config: Pick<VigilConfig, 'prometheus'>,
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
