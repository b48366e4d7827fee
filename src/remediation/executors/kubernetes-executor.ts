/**
 * Kubernetes actions through @kubernetes/client-node, namespace-scoped: a rollout restart is the
 * same patch `kubectl rollout restart` sends, a scale patches deployments/scale. The preview is a
 * server-side dry run (dryRun=All), which needs only the `patch` verb the action itself needs.
 */
import {
  ApiException,
  AppsV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderMiddleware,
  type V1Deployment,
  type V1Scale,
} from '@kubernetes/client-node';
import { describeFetchError, ExecutionError, type Executor, shortBody } from './executor.js';
import { describeKubernetesPatch, type KubernetesParams, patchOf } from './kubernetes-patch.js';

export interface KubernetesExecutorOptions {
  /** A kubeconfig file; without one, the in-cluster service account or $KUBECONFIG. */
  kubeconfigPath?: string;
  timeoutMs: number;
  now?: () => Date;
}

const FIELD_MANAGER = 'vigil';

export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

function explain(error: unknown, params: KubernetesParams, timeoutMs: number): ExecutionError {
  if (error instanceof ApiException) {
    const body = typeof error.body === 'string' ? error.body : JSON.stringify(error.body ?? '');
    let message = body;
    try {
      message = (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      // Not JSON (a proxy's HTML page): show its start.
    }
    return new ExecutionError(
      `Kubernetes answered ${error.code} for ${params.namespace}/${params.deployment}: ${shortBody(message)}`,
    );
  }
  return describeFetchError(error, 'The Kubernetes API', timeoutMs);
}

function describeDeployment(d: V1Deployment): string {
  const images = (d.spec?.template?.spec?.containers ?? []).map((c) => c.image).filter(Boolean);
  const ready = d.status?.readyReplicas ?? 0;
  return (
    `Deployment ${d.metadata?.namespace}/${d.metadata?.name}: ${d.spec?.replicas ?? '?'} replicas, ${ready} ready` +
    (images.length > 0 ? `, image ${images.join(', ')}` : '')
  );
}

export function createKubernetesExecutor(
  kubeConfig: () => KubeConfig,
  options: KubernetesExecutorOptions,
): Executor<KubernetesParams> {
  const now = options.now ?? (() => new Date());
  let api: AppsV1Api | undefined;
  // Built on first use: a Vigil without Kubernetes actions never needs a kubeconfig.
  const client = () => {
    api ??= kubeConfig().makeApiClient(AppsV1Api);
    return api;
  };
  const callOptions = (params: KubernetesParams) => {
    const contentType = setHeaderMiddleware(
      'Content-Type',
      params.kind === 'kubernetes.scale' ? PatchStrategy.MergePatch : PatchStrategy.StrategicMergePatch,
    );
    // Every call gets its own deadline: the client has none of its own.
    return {
      middleware: [
        {
          pre: (context: Parameters<typeof contentType.pre>[0]) => {
            context.setSignal(AbortSignal.timeout(options.timeoutMs));
            return contentType.pre(context);
          },
          post: contentType.post,
        },
      ],
      middlewareMergeStrategy: 'append' as const,
    };
  };
  const patch = async (params: KubernetesParams, dryRun: boolean): Promise<V1Deployment | V1Scale> => {
    const request = {
      name: params.deployment,
      namespace: params.namespace,
      body: patchOf(params, now()),
      fieldManager: FIELD_MANAGER,
      ...(dryRun ? { dryRun: 'All' } : {}),
    };
    try {
      return params.kind === 'kubernetes.scale'
        ? await client().patchNamespacedDeploymentScale(request, callOptions(params))
        : await client().patchNamespacedDeployment(request, callOptions(params));
    } catch (error) {
      throw explain(error, params, options.timeoutMs);
    }
  };
  return {
    describe: describeKubernetesPatch,
    async preview(params) {
      const after = await patch(params, true);
      if (params.kind === 'kubernetes.scale') {
        const scale = after as V1Scale;
        return `Server dry run: ${params.namespace}/${params.deployment} runs ${scale.status?.replicas ?? '?'} replicas; after: ${scale.spec?.replicas ?? params.replicas}.`;
      }
      return `Server dry run: ${describeDeployment(after as V1Deployment)}; every pod is replaced, one by one, per its rollout strategy.`;
    },
    async execute(params) {
      const after = await patch(params, false);
      if (params.kind === 'kubernetes.scale') {
        return `Scaled ${params.namespace}/${params.deployment} to ${(after as V1Scale).spec?.replicas ?? params.replicas} replicas.`;
      }
      return `Rollout restart of ${params.namespace}/${params.deployment} started (generation ${(after as V1Deployment).metadata?.generation ?? '?'}).`;
    },
  };
}
