import type { SlackMessage } from '../../blocks/block-kit-limits.js';
import { buildUsageReply } from '../../blocks/build-command-replies.js';
import { buildSilencesReply, SILENCES_LISTED } from '../../blocks/build-silence-replies.js';
import type { ListenerDeps } from '../deps.js';

/** `/vigil silences`: a LIMITed page and a count from the partial index, never every row. */
export function answerSilencesCommand(args: readonly string[], deps: ListenerDeps): SlackMessage {
  if (args.length > 0) return buildUsageReply('`silences` takes no arguments');
  const now = deps.now();
  const nowIso = now.toISOString();
  return buildSilencesReply(
    deps.repos.silences.live(nowIso, SILENCES_LISTED),
    deps.repos.silences.countLive(nowIso),
    now,
  );
}
