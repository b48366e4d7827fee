import type { KubeConfig } from '@kubernetes/client-node';
import type { RemediationConfig } from '../../config/remediation-schema.js';
import { clientConnection, requireHttpConnection } from '../../http/resolve-http-connection.js';
import type { RenderedParams } from '../render-action.js';
import { ExecutionError, type Executor } from './executor.js';
import { describeKubernetesPatch, type KubernetesParams } from './kubernetes-patch.js';
import { createSilenceExecutor } from './silence-executor.js';
import { createWebhookExecutor } from './webhook-executor.js';

export interface ExecutorsOptions {
  remediation: RemediationConfig;
  /** Where webhook and Alertmanager secrets are read from (process.env in production). */
  secretEnv: Readonly<Record<string, string | undefined>>;
  kubeConfig?: () => KubeConfig;
  now?: () => Date;
  fetch?: typeof fetch;
}

/**
 * One executor per kind, chosen by the rendered parameters' kind. Throws a ConfigError when the
 * Alertmanager's auth names a variable that is not set.
 */
export function createExecutors(options: ExecutorsOptions): Executor {
  const { remediation } = options;
  const now = options.now ?? (() => new Date());
  // Imported on first preview or run: @kubernetes/client-node costs ~80 MB of memory once loaded,
  // which a Vigil whose Kubernetes actions are never clicked (or that has none) should not pay.
  let kubernetesExecutor: Promise<Executor<KubernetesParams>> | undefined;
  const loadKubernetes = () => {
    kubernetesExecutor ??= import('./kubernetes-executor.js').then(({ createKubernetesExecutor, loadKubeConfig }) =>
      createKubernetesExecutor(options.kubeConfig ?? (() => loadKubeConfig(remediation.kubernetes.kubeconfig)), {
        timeoutMs: remediation.kubernetes.timeout_ms,
        now,
      }),
    );
    return kubernetesExecutor;
  };
  const kubernetes: Executor<KubernetesParams> = {
    describe: describeKubernetesPatch,
    preview: async (params) => (await loadKubernetes()).preview(params),
    execute: async (params, context) => (await loadKubernetes()).execute(params, context),
  };
  const webhook = createWebhookExecutor(options.secretEnv, options.fetch);
  const { alertmanager } = remediation;
  const silence = alertmanager.url
    ? createSilenceExecutor({
        url: alertmanager.url,
        timeoutMs: alertmanager.timeout_ms,
        now,
        ...clientConnection(
          requireHttpConnection(
            { ...alertmanager, url: alertmanager.url },
            options.secretEnv,
            'remediation.alertmanager',
          ),
          options.fetch,
        ),
      })
    : undefined;
  const pick = (params: RenderedParams): Executor => {
    switch (params.kind) {
      case 'kubernetes.rollout_restart':
      case 'kubernetes.scale':
        return kubernetes as Executor;
      case 'http.webhook':
        return webhook as Executor;
      case 'alertmanager.silence':
        if (!silence) throw new ExecutionError('remediation.alertmanager.url is not configured');
        return silence as Executor;
    }
  };
  return {
    describe: (params) => pick(params).describe(params),
    preview: (params) => pick(params).preview(params),
    execute: (params, context) => pick(params).execute(params, context),
  };
}

/** Webhook secrets named in the file must be in the environment at start-up, not discovered at 3 a.m. */
export function missingSecrets(
  remediation: RemediationConfig,
  env: Readonly<Record<string, string | undefined>>,
): Array<{ path: string; message: string }> {
  const missing: Array<{ path: string; message: string }> = [];
  remediation.actions.forEach((action, i) => {
    if (action.kind === 'http.webhook' && action.params.secret_env && !env[action.params.secret_env]) {
      missing.push({
        path: `remediation.actions.${i}.params.secret_env`,
        message: `$${action.params.secret_env} is not set (action "${action.id}")`,
      });
    }
  });
  return missing;
}
