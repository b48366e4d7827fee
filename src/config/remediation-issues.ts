import { inScope, renderAction } from '../remediation/render-action.js';
import type { ServiceConfig } from './config-schema.js';
import type { RemediationConfig } from './remediation-schema.js';

interface Issue {
  path: Array<string | number>;
  message: string;
}

/**
 * Checks of the allow-list against the rest of the file, so a mistake stops start-up instead of
 * surfacing as a refused button at 3 a.m.: unique ids, known services, a reachable target for every
 * service an action is offered for, approvers that exist.
 */
export function remediationIssues(config: { services: ServiceConfig[]; remediation: RemediationConfig }): Issue[] {
  const issues: Issue[] = [];
  const { remediation } = config;
  const known = new Set(config.services.map((s) => s.name));
  const ids = new Set<string>();
  remediation.actions.forEach((action, i) => {
    const at = (...rest: Array<string | number>) => ['remediation', 'actions', i, ...rest];
    if (ids.has(action.id)) issues.push({ path: at('id'), message: `duplicate action id "${action.id}"` });
    ids.add(action.id);
    action.services.forEach((service, j) => {
      if (service !== '*' && !known.has(service)) {
        issues.push({ path: at('services', j), message: `unknown service "${service}"` });
      }
    });
    if (action.kind === 'alertmanager.silence' && !remediation.alertmanager.url) {
      issues.push({
        path: ['remediation', 'alertmanager', 'url'],
        message: `action "${action.id}" needs an Alertmanager URL`,
      });
    }
    if (action.kind.startsWith('kubernetes.')) {
      for (const service of config.services.filter((s) => inScope(action, s.name))) {
        const rendered = renderAction(
          action,
          {
            service: service.name,
            namespace: service.namespace,
            deployment: service.deployment ?? service.name,
            team: service.team,
            incident_id: 'INC-CHECK',
            severity: 'warning',
          },
          remediation,
        );
        if (!rendered.ok)
          issues.push({ path: at('params'), message: `for service "${service.name}": ${rendered.message}` });
      }
    }
  });
  return issues;
}
