import { parseDuration, parseReason, parseSilenceTarget, SILENCE_USAGE } from '../../../silences/parse-silence-args.js';
import type { SlackMessage } from '../../blocks/block-kit-limits.js';
import { buildUsageReply } from '../../blocks/build-command-replies.js';
import { buildSilenceDeclaredReply } from '../../blocks/build-silence-replies.js';
import type { ListenerDeps } from '../deps.js';

/** `/vigil silence <service|series> <duration> [reason]`: from now, for the duration. */
export function answerSilenceCommand(args: readonly string[], deps: ListenerDeps, user: string): SlackMessage {
  const [target, duration, ...why] = args;
  if (!target || !duration) return buildUsageReply(`\`silence\` takes a target and a duration: \`${SILENCE_USAGE}\``);
  if (!deps.silences) return buildUsageReply('Silences are not available in this Vigil.');
  const parsedTarget = parseSilenceTarget(target, deps.services ?? [], true);
  if (!parsedTarget.ok) return buildUsageReply(`${parsedTarget.problem}: \`${SILENCE_USAGE}\``);
  const ms = parseDuration(duration);
  if (!ms.ok) return buildUsageReply(`${ms.problem}: \`${SILENCE_USAGE}\``);
  const reason = parseReason(why);
  if (!reason.ok) return buildUsageReply(`${reason.problem}: \`${SILENCE_USAGE}\``);
  const now = deps.now();
  const silence = deps.silences.declare({
    kind: 'silence',
    ...parsedTarget.value,
    starts_at: now.toISOString(),
    ends_at: new Date(now.getTime() + ms.value).toISOString(),
    reason: reason.value,
    created_by: user,
  });
  return buildSilenceDeclaredReply(silence, now);
}
