/**
 * Turns an allow-listed action and an incident's service into the exact parameters that will run.
 * Values come from config, never from a Slack payload; whatever they render to is checked again
 * (Kubernetes names, allowed namespaces), so a template cannot point an action somewhere else.
 */
import type { ActionConfig, RemediationConfig, TemplateVariable } from '../config/remediation-schema.js';

export type TemplateContext = Record<TemplateVariable, string>;

export type RenderedParams =
  | { kind: 'kubernetes.rollout_restart'; namespace: string; deployment: string }
  | { kind: 'kubernetes.scale'; namespace: string; deployment: string; replicas: number }
  | {
      kind: 'http.webhook';
      url: string;
      secret_header: string;
      secret_env: string | null;
      body: Record<string, string>;
      timeout_ms: number;
    }
  | {
      kind: 'alertmanager.silence';
      matchers: Record<string, string>;
      duration_seconds: number;
      comment: string;
    };

export type RenderOutcome = { ok: true; params: RenderedParams } | { ok: false; message: string };

export function renderTemplate(text: string, context: TemplateContext): string {
  return text.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) =>
    name in context ? context[name as TemplateVariable] : whole,
  );
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function kubernetesTarget(
  namespace: string,
  deployment: string,
  allowed: readonly string[],
): { ok: true } | { ok: false; message: string } {
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) {
    return { ok: false, message: `"${namespace}" is not a Kubernetes namespace name` };
  }
  if (deployment.length > 253 || !DNS_SUBDOMAIN.test(deployment)) {
    return { ok: false, message: `"${deployment}" is not a Kubernetes Deployment name` };
  }
  if (!allowed.includes(namespace)) {
    return {
      ok: false,
      message: `namespace "${namespace}" is not in remediation.kubernetes.namespaces (${allowed.join(', ') || 'none'})`,
    };
  }
  return { ok: true };
}

export function renderAction(
  action: ActionConfig,
  context: TemplateContext,
  remediation: Pick<RemediationConfig, 'kubernetes'>,
): RenderOutcome {
  const r = (text: string) => renderTemplate(text, context);
  switch (action.kind) {
    case 'kubernetes.rollout_restart':
    case 'kubernetes.scale': {
      const namespace = r(action.params.namespace);
      const deployment = r(action.params.deployment);
      const check = kubernetesTarget(namespace, deployment, remediation.kubernetes.namespaces);
      if (!check.ok) return check;
      return action.kind === 'kubernetes.scale'
        ? { ok: true, params: { kind: action.kind, namespace, deployment, replicas: action.params.replicas } }
        : { ok: true, params: { kind: action.kind, namespace, deployment } };
    }
    case 'http.webhook':
      return {
        ok: true,
        params: {
          kind: action.kind,
          url: action.params.url,
          secret_header: action.params.secret_header,
          secret_env: action.params.secret_env ?? null,
          body: Object.fromEntries(Object.entries(action.params.body).map(([k, v]) => [k, r(v)])),
          timeout_ms: action.params.timeout_ms,
        },
      };
    case 'alertmanager.silence':
      return {
        ok: true,
        params: {
          kind: action.kind,
          matchers: Object.fromEntries(Object.entries(action.params.matchers).map(([k, v]) => [k, r(v)])),
          duration_seconds: action.params.duration_seconds,
          comment: r(action.params.comment),
        },
      };
  }
}

/** Whether the action may target this service at all (its `services` scope). */
export function inScope(action: Pick<ActionConfig, 'services'>, service: string): boolean {
  return action.services.includes('*') || action.services.includes(service);
}
