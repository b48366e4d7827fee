import { labelOfReaction } from '../../../feedback/reaction-labels.js';
import type { ListenerDeps } from '../deps.js';

export interface ReactionEvent {
  reaction: string;
  user: string;
  item: { type: string; channel?: string; ts?: string };
  event_ts?: string;
}

export type ReactionOutcome = 'stored' | 'removed' | 'unchanged' | 'ignored';

/**
 * A feedback emoji (👍/👎 unless configured otherwise) on an incident card becomes, or stops being,
 * that person's label on the incident, and the card's counts are brought up to date. Reactions on
 * any other message, and other emoji, are ignored.
 */
export async function recordReaction(
  event: ReactionEvent,
  added: boolean,
  deps: ListenerDeps,
): Promise<ReactionOutcome> {
  const label = labelOfReaction(event.reaction, deps.feedbackEmoji);
  if (!label || event.item.type !== 'message' || !event.item.channel || !event.item.ts) return 'ignored';
  const incident = deps.repos.incidents.findByMessage(event.item.channel, event.item.ts);
  if (!incident) return 'ignored';
  const log = deps.logger.child({ incident_id: incident.id, user: event.user, label });
  let outcome: ReactionOutcome;
  if (added) {
    const stored = deps.repos.feedback.set({
      incident_id: incident.id,
      slack_user: event.user,
      label,
      source: 'reaction',
      created_at: deps.now().toISOString(),
    });
    log.info({ outcome: stored }, 'feedback stored');
    outcome = stored === 'unchanged' ? 'unchanged' : 'stored';
  } else {
    const removed = deps.repos.feedback.remove(incident.id, event.user, label);
    log.info({ removed }, 'feedback removed');
    outcome = removed ? 'removed' : 'unchanged';
  }
  if (outcome !== 'unchanged') await deps.republish(incident.id);
  return outcome;
}
