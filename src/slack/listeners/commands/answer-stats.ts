import { readScorecard } from '../../../feedback/scorecard.js';
import type { SlackMessage } from '../../blocks/block-kit-limits.js';
import { buildUsageReply } from '../../blocks/build-command-replies.js';
import { buildScorecardReply } from '../../blocks/build-scorecard-reply.js';
import type { ListenerDeps } from '../deps.js';
import { parseStatsArgs } from './parse-stats-args.js';

/** Where incidents of services without a configured team are filed (see buildIncident). */
const UNOWNED = 'unowned';

/**
 * `/vigil stats [--days N] [--team T]`: the scorecard of the incidents that paged in the last N days
 * (default 7), read with window-bounded, indexed queries; bad arguments get the usage.
 */
export function answerStats(args: readonly string[], deps: ListenerDeps): SlackMessage {
  const parsed = parseStatsArgs(args);
  if (!parsed.ok) return buildUsageReply(`${parsed.problem}. Try \`/vigil stats --days 30 --team payments\`.`);
  const { days, team } = parsed.args;
  if (team !== undefined && deps.teams && ![...deps.teams, UNOWNED].includes(team)) {
    const known = [...deps.teams].sort().join(', ');
    return buildUsageReply(`No team \`${team}\`; the teams are ${known || 'not configured'}`);
  }
  return buildScorecardReply(
    readScorecard(deps.repos.scorecard, { now: deps.now(), days, ...(team === undefined ? {} : { team }) }),
  );
}
