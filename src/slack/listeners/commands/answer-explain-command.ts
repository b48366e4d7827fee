import { z } from 'zod';
import { explainSeries } from '../../../feedback/explain-series.js';
import type { SlackMessage } from '../../blocks/block-kit-limits.js';
import { buildUsageReply } from '../../blocks/build-command-replies.js';
import { buildExplainReply } from '../../blocks/build-explain-reply.js';
import type { ListenerDeps } from '../deps.js';

/** `/vigil explain <series>`: one series key, as the card and the logs write it. */
const ExplainArgsSchema = z.tuple([
  z
    .string()
    .max(500, 'a series key is at most 500 characters')
    .regex(/^[^\s`<>]+$/, 'a series key has no spaces, backquotes or angle brackets'),
]);

const EXPLAIN_USAGE = '`explain` takes one series key, e.g. `/vigil explain shop/payment-api/latency_p99`';

/**
 * Explains one series' threshold from indexed rows only (see explainSeries): it runs on the thread
 * that acks Slack, however many series there are.
 */
export function answerExplainCommand(args: readonly string[], deps: ListenerDeps): SlackMessage {
  const parsed = ExplainArgsSchema.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues.find((i) => i.code !== 'too_small' && i.code !== 'too_big');
    return buildUsageReply(issue ? `${EXPLAIN_USAGE} (${issue.message})` : EXPLAIN_USAGE);
  }
  if (!deps.explain) return buildUsageReply('`explain` needs the detection settings, which this process was not given');
  const [seriesKey] = parsed.data;
  const result = explainSeries(seriesKey, {
    lookup: deps.repos.seriesLookup,
    calibration: deps.repos.detectorState,
    feedback: deps.repos.feedbackCalibration,
    config: deps.explain,
    now: deps.now(),
  });
  return buildExplainReply(result, deps.explain.feedback.min_labels);
}
