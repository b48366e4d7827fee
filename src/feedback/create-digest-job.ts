import type { Logger } from '../logger.js';
import type { SlackMessage } from '../slack/blocks/block-kit-limits.js';
import { buildScorecardReply } from '../slack/blocks/build-scorecard-reply.js';
import type { ScorecardRepo } from '../storage/scorecard-repo.js';
import { readScorecard } from './scorecard.js';

/** The digest covers the week before it is posted. */
export const DIGEST_DAYS = 7;

export interface DigestDeps {
  scorecard: ScorecardRepo;
  /** Posts a message to a channel (name or id) and says where it landed. */
  post: (channel: string, message: SlackMessage) => Promise<{ channel: string; ts: string }>;
  channel: string;
  now: () => Date;
  logger: Logger;
}

export interface DigestOutcome {
  channel: string;
  ts: string;
  paged: number;
  labelled: number;
}

/**
 * The weekly digest: the scorecard of the last 7 days, every team, posted to the configured
 * channel. The job the scheduler runs (feedback.digest.schedule); a failure is thrown to it and
 * logged there, and the next week's digest is the next try.
 */
export function createDigestJob(deps: DigestDeps): () => Promise<DigestOutcome> {
  return async () => {
    const card = readScorecard(deps.scorecard, { now: deps.now(), days: DIGEST_DAYS });
    const where = await deps.post(deps.channel, buildScorecardReply(card, 'Weekly Vigil scorecard'));
    deps.logger.info(
      { channel: deps.channel, ts: where.ts, paged: card.paged, labelled: card.labelled },
      'weekly scorecard posted',
    );
    return { ...where, paged: card.paged, labelled: card.labelled };
  };
}
