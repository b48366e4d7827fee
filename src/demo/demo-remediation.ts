import type { RemediationConfig } from '../config/remediation-schema.js';
import type { Logger } from '../logger.js';
import type { Pipeline, PipelineOptions } from '../pipeline/create-pipeline.js';
import type { RemediationNotifier } from '../remediation/create-remediation-service.js';
import { createExecutors } from '../remediation/executors/create-executors.js';
import type { SlackMessage } from '../slack/blocks/block-kit-limits.js';

/** The people of the demo: who asks for the action, who may approve it, and someone who may not. */
export const DEMO_REQUESTER = 'U0DEMOONCALL';
export const DEMO_APPROVER = 'U0DEMOLEAD';
export const DEMO_STRANGER = 'U0DEMOGUEST';

/**
 * The demo's allow-list (remediation section of demoConfig): dry run, so nothing is ever sent, and a
 * high-risk restart that needs a second person to approve it.
 */
export const DEMO_REMEDIATION = {
  enabled: true,
  dry_run: true,
  // Where actions may reach; a dry run never connects (no kubeconfig is read).
  kubernetes: { namespaces: ['shop'] },
  actions: [
    {
      id: 'restart',
      title: 'Restart',
      kind: 'kubernetes.rollout_restart',
      services: ['payment-api', 'checkout-api'],
      risk: 'high',
      // The on-call engineer may approve too, but not their own request: restart is high risk (two-person rule).
      approvers: { users: [DEMO_APPROVER, DEMO_REQUESTER] },
      cooldown_seconds: 1800,
    },
  ],
} as const;

export type DemoRemediationMessage =
  | { method: 'chat.postMessage (thread)'; channel: string; thread_ts: string; message: SlackMessage }
  | { method: 'chat.update'; channel: string; ts: string; message: SlackMessage }
  | { method: 'chat.postMessage (thread text)'; channel: string; thread_ts: string; text: string }
  | { method: 'respond (ephemeral)'; user: string; text: string };

export interface DemoRemediation {
  /** What the pipeline is built with: the real executors (dry run) and a notifier that records. */
  options: NonNullable<PipelineOptions['remediation']>;
  /** After each simulated tick: the first time an incident with a card is open, the request is made. */
  onCycle(now: Date, pipeline: Pipeline): Promise<void>;
  messages: DemoRemediationMessage[];
}

/**
 * A remediation request on one demo incident, approved by an approver through the same server-side
 * path the bot's buttons use (RemediationService: approver check, two-person rule, audit), run as a
 * dry run. Every message it sends is recorded (and shown by `show`), as Slack would have received it.
 */
export function createDemoRemediation(options: {
  /** The demo config's remediation section (parsed DEMO_REMEDIATION). */
  remediation: RemediationConfig;
  logger: Logger;
  show: (message: DemoRemediationMessage) => void;
  forward?: RemediationNotifier;
}): DemoRemediation {
  const clock = { now: new Date(0) };
  const messages: DemoRemediationMessage[] = [];
  let seq = 0;
  let done = false;
  const record = (m: DemoRemediationMessage) => {
    messages.push(m);
    options.show(m);
  };
  const notifier: RemediationNotifier = {
    async post(channel, threadTs, message) {
      const sent = await options.forward?.post(channel, threadTs, message);
      record({ method: 'chat.postMessage (thread)', channel, thread_ts: threadTs, message });
      return sent ?? { ts: `1700000001.${String(++seq).padStart(6, '0')}` };
    },
    async update(channel, ts, message) {
      await options.forward?.update(channel, ts, message);
      record({ method: 'chat.update', channel, ts, message });
    },
    async reply(channel, threadTs, text) {
      await options.forward?.reply(channel, threadTs, text);
      record({ method: 'chat.postMessage (thread text)', channel, thread_ts: threadTs, text });
    },
  };
  return {
    messages,
    options: {
      executor: createExecutors({ remediation: options.remediation, secretEnv: {} }),
      notifier,
      // The demo's approvers are named users; no group is looked up.
      groupMembers: async () => new Set<string>(),
      now: () => clock.now,
    },
    async onCycle(now, pipeline) {
      clock.now = now;
      const service = pipeline.remediation;
      if (done || !service) return;
      const incident = pipeline.repos.incidents
        .listActive()
        .find((i) => i.slack && service.offers(i).length > 0 && i.services.length > 1);
      const offer = incident ? service.offers(incident)[0] : undefined;
      if (!incident || !offer) return;
      done = true;
      const ephemeral = (user: string, text: string) => record({ method: 'respond (ephemeral)', user, text });
      const asked = await service.request({
        incidentId: incident.id,
        actionId: offer.actionId,
        target: offer.target,
        user: DEMO_REQUESTER,
      });
      ephemeral(DEMO_REQUESTER, asked.message);
      const request = pipeline.repos.remediation.forIncident(incident.id)[0];
      if (!request) return;
      // Refused server-side: not an approver, and the requester may not approve a high-risk action.
      ephemeral(DEMO_STRANGER, (await service.approve({ requestId: request.id, user: DEMO_STRANGER })).message);
      ephemeral(DEMO_REQUESTER, (await service.approve({ requestId: request.id, user: DEMO_REQUESTER })).message);
      ephemeral(DEMO_APPROVER, (await service.approve({ requestId: request.id, user: DEMO_APPROVER })).message);
      options.logger.info({ incident_id: incident.id, request_id: request.id }, 'demo remediation done (dry run)');
    },
  };
}
