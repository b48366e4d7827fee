import type { FeedbackLabel } from '../../../contracts/index.js';
import { FEEDBACK_REACTIONS } from '../../action-ids.js';
import type { ListenerDeps } from '../deps.js';

export interface ReactionEvent {
  reaction: string;
  user: string;
  item: { type: string; channel?: string; ts?: string };
  event_ts?: string;
}

export type ReactionOutcome = 'stored' | 'removed' | 'unchanged' | 'ignored';

/**
 * 👍/👎 on an incident card become (or stop being) feedback on that incident. Reactions on any other
 * message, and other emoji, are ignored.
 */
export function recordReaction(event: ReactionEvent, added: boolean, deps: ListenerDeps): ReactionOutcome {
  const label: FeedbackLabel | undefined = FEEDBACK_REACTIONS[event.reaction];
  if (!label || event.item.type !== 'message' || !event.item.channel || !event.item.ts) return 'ignored';
  const incident = deps.repos.incidents.findByMessage(event.item.channel, event.item.ts);
  if (!incident) return 'ignored';
  const log = deps.logger.child({ incident_id: incident.id, user: event.user, label });
  if (added) {
    const outcome = deps.repos.feedback.set({
      incident_id: incident.id,
      slack_user: event.user,
      label,
      source: 'reaction',
      created_at: deps.now().toISOString(),
    });
    log.info({ outcome }, 'feedback stored');
    return outcome === 'unchanged' ? 'unchanged' : 'stored';
  }
  const removed = deps.repos.feedback.remove(incident.id, event.user, label);
  log.info('feedback removed');
  return removed ? 'removed' : 'unchanged';
}
