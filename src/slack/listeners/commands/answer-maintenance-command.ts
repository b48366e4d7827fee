import {
  MAINTENANCE_USAGE,
  parseMaintenanceWindow,
  parseReason,
  parseSilenceTarget,
} from '../../../silences/parse-silence-args.js';
import type { SlackMessage } from '../../blocks/block-kit-limits.js';
import { buildUsageReply } from '../../blocks/build-command-replies.js';
import { buildSilenceDeclaredReply } from '../../blocks/build-silence-replies.js';
import type { ListenerDeps } from '../deps.js';

/** `/vigil maintenance <service> <start> <end> [reason]`: a window like a configured one. */
export function answerMaintenanceCommand(args: readonly string[], deps: ListenerDeps, user: string): SlackMessage {
  const [target, ...rest] = args;
  if (!target || rest.length < 2)
    return buildUsageReply(`\`maintenance\` takes a service, a start and an end: \`${MAINTENANCE_USAGE}\``);
  if (!deps.silences) return buildUsageReply('Maintenance from Slack is not available in this Vigil.');
  const parsedTarget = parseSilenceTarget(target, deps.services ?? [], false);
  if (!parsedTarget.ok) return buildUsageReply(`${parsedTarget.problem}: \`${MAINTENANCE_USAGE}\``);
  const now = deps.now();
  const window = parseMaintenanceWindow(rest, now);
  if (!window.ok) return buildUsageReply(`${window.problem}: \`${MAINTENANCE_USAGE}\``);
  const reason = parseReason(window.value.rest);
  if (!reason.ok) return buildUsageReply(`${reason.problem}: \`${MAINTENANCE_USAGE}\``);
  const silence = deps.silences.declare({
    kind: 'maintenance',
    ...parsedTarget.value,
    starts_at: new Date(window.value.startMs).toISOString(),
    ends_at: new Date(window.value.endMs).toISOString(),
    reason: reason.value,
    created_by: user,
  });
  return buildSilenceDeclaredReply(silence, now);
}
