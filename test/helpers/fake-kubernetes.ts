/**
 * A stand-in for the Kubernetes API server: no cluster can run on this machine, so this local HTTP
 * server speaks the two paths @kubernetes/client-node uses for Vigil's actions (PATCH of a
 * Deployment and of its scale subresource), honours dryRun=All by not changing anything, and
 * records every request. A kubeconfig file pointing at it is written for the real client.
 */
import { writeFileSync } from 'node:fs';
import { type HttpRecorder, startHttpRecorder } from './http-recorder.js';

export interface FakeKubernetes extends HttpRecorder {
  kubeconfigPath: string;
  /** Requests that changed something (not dry runs). */
  mutations(): HttpRecorder['requests'];
  replicas(namespace: string, name: string): number | undefined;
}

const PATH = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)(\/scale)?$/;

export async function startFakeKubernetes(
  kubeconfigPath: string,
  deployments: Record<string, number>,
): Promise<FakeKubernetes> {
  const state = new Map(Object.entries(deployments).map(([key, replicas]) => [key, { replicas, generation: 1 }]));
  const recorder = await startHttpRecorder((request) => {
    const match = PATH.exec(request.path);
    if (request.method !== 'PATCH' || !match) return { status: 405, body: { kind: 'Status', message: 'not here' } };
    const [, namespace, name, scale] = match as unknown as [string, string, string, string | undefined];
    const current = state.get(`${namespace}/${name}`);
    if (!current) {
      return { status: 404, body: { kind: 'Status', code: 404, message: `deployments.apps "${name}" not found` } };
    }
    const patch = JSON.parse(request.body) as { spec?: { replicas?: number } };
    const dryRun = request.query.get('dryRun') === 'All';
    const after = {
      replicas: scale ? (patch.spec?.replicas ?? current.replicas) : current.replicas,
      generation: current.generation + 1,
    };
    if (!dryRun) state.set(`${namespace}/${name}`, after);
    const metadata = { name, namespace, generation: after.generation };
    return scale
      ? {
          status: 200,
          body: {
            apiVersion: 'autoscaling/v1',
            kind: 'Scale',
            metadata,
            spec: { replicas: after.replicas },
            status: { replicas: current.replicas },
          },
        }
      : {
          status: 200,
          body: {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata,
            spec: {
              replicas: after.replicas,
              template: { spec: { containers: [{ name, image: `registry.example.com/${name}:1.4.2` }] } },
            },
            status: { replicas: current.replicas, readyReplicas: current.replicas },
          },
        };
  });
  writeFileSync(
    kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      // Plain HTTP to 127.0.0.1: the client only allows it with skip-tls-verify, which a test double needs.
      `  - name: fake\n    cluster:\n      server: ${recorder.url}\n      insecure-skip-tls-verify: true`,
      'users:',
      '  - name: vigil\n    user:\n      token: fake-service-account-token',
      'contexts:',
      '  - name: fake\n    context:\n      cluster: fake\n      user: vigil',
      'current-context: fake',
      '',
    ].join('\n'),
  );
  return {
    ...recorder,
    kubeconfigPath,
    mutations: () => recorder.requests.filter((r) => r.method === 'PATCH' && r.query.get('dryRun') !== 'All'),
    replicas: (namespace, name) => state.get(`${namespace}/${name}`)?.replicas,
  };
}
