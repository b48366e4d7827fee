import type { Logger } from '../logger.js';
import type { Pipeline } from '../pipeline/create-pipeline.js';
import type { SlackMessage } from '../slack/blocks/block-kit-limits.js';
import { answerVigilCommand } from '../slack/listeners/commands/answer-vigil-command.js';
import type { ListenerDeps } from '../slack/listeners/deps.js';

/** Who types the demo's commands (a made-up Slack user id: it renders as a mention in Slack). */
export const DEMO_USER = 'U0DEMO';

/**
 * Types `/vigil <text>` at `at` as DEMO_USER, through the same command code as Slack's requests
 * (answerVigilCommand with the pipeline's store and silence book), and returns the ephemeral reply.
 */
export async function demoCommand(text: string, pipeline: Pipeline, at: Date, logger: Logger): Promise<SlackMessage> {
  const deps: ListenerDeps = {
    repos: pipeline.repos,
    logger,
    now: () => at,
    seriesTracked: () => pipeline.seriesTracked(),
    cycleRunning: () => false,
    lastCycle: () => undefined,
    republish: async (id) => {
      await pipeline.publish?.([id]);
    },
    remediation: pipeline.remediation,
    silences: pipeline.silences,
    services: [...pipeline.topology.services.values()].map((s) => ({ name: s.name, namespace: s.namespace })),
    cardOf: pipeline.cardOf,
  };
  return answerVigilCommand(text, deps, DEMO_USER, 'CDEMO');
}
