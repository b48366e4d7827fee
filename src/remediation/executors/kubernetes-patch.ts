/**
 * What a Kubernetes action sends, without the Kubernetes client: the card and the request preview
 * describe it on every cycle, and @kubernetes/client-node (~80 MB of memory once imported) is loaded
 * only when an action is previewed or run (see create-executors.ts).
 */
import type { RenderedParams } from '../render-action.js';

type RestartParams = Extract<RenderedParams, { kind: 'kubernetes.rollout_restart' }>;
type ScaleParams = Extract<RenderedParams, { kind: 'kubernetes.scale' }>;
export type KubernetesParams = RestartParams | ScaleParams;

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

function pathOf(params: KubernetesParams): string {
  const base = `/apis/apps/v1/namespaces/${params.namespace}/deployments/${params.deployment}`;
  return params.kind === 'kubernetes.scale' ? `${base}/scale` : base;
}

export function patchOf(params: KubernetesParams, at: Date | null) {
  return params.kind === 'kubernetes.scale'
    ? { spec: { replicas: params.replicas } }
    : {
        spec: {
          template: { metadata: { annotations: { [RESTARTED_AT]: at ? at.toISOString() : '<time of approval>' } } },
        },
      };
}

/** The request, as the card's confirm dialog and the thread show it. */
export function describeKubernetesPatch(params: KubernetesParams): string {
  return (
    `PATCH ${pathOf(params)} (${params.kind === 'kubernetes.scale' ? 'merge' : 'strategic merge'} patch)\n` +
    JSON.stringify(patchOf(params, null))
  );
}
