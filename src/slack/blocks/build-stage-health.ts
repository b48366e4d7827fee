import type { CycleReport } from '../../storage/cycles-repo.js';
import type { SlackMessage } from './block-kit-limits.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

/** Cycles /vigil status looks back over for source and Slack errors. */
export const HEALTH_CYCLES = 20;

type RecentCycle = Pick<CycleReport, 'finished_at' | 'status' | 'errors'>;

interface ErrorTally {
  cycles: number;
  errors: number;
  latest: { at: string; error: string } | null;
}

/** Errors of one stage, told apart by the prefix the cycle gives them (create-detection-cycle.ts). */
function tally(cycles: readonly RecentCycle[], prefix: string): ErrorTally {
  const out: ErrorTally = { cycles: 0, errors: 0, latest: null };
  for (const c of cycles) {
    const mine = c.errors.filter((e) => e.startsWith(prefix));
    if (mine.length === 0) continue;
    out.cycles += 1;
    out.errors += mine.length;
    out.latest ??= { at: c.finished_at, error: mine[0] ?? '' };
  }
  return out;
}

function line(icon: string, name: string, t: ErrorTally, of: number, what: string): string {
  if (t.errors === 0) return `:large_green_circle: *${name}:* no ${what} in the last ${of} cycles`;
  const latest = t.latest
    ? ` — latest at ${t.latest.at.slice(11, 16)} UTC: ${escapeMrkdwn(truncate(t.latest.error, 300))}`
    : '';
  return `${icon} *${name}:* ${t.errors} ${what} in ${t.cycles} of the last ${of} cycles${latest}`;
}

/**
 * Each stage's health over the last HEALTH_CYCLES cycles (one LIMITed read): cycle outcomes,
 * Prometheus failures (`signal …` errors) and failed card posts or updates (`publish …` errors).
 */
export function stageHealthText(cycles: readonly RecentCycle[]): string {
  if (cycles.length === 0) return '*Stages:* no cycle recorded yet';
  const n = cycles.length;
  const failed = cycles.filter((c) => c.status === 'failed').length;
  const partial = cycles.filter((c) => c.status === 'partial').length;
  const cycleIcon = failed > 0 ? ':red_circle:' : partial > 0 ? ':large_yellow_circle:' : ':large_green_circle:';
  return [
    `${cycleIcon} *Detection:* ${n - failed - partial} ok, ${partial} partial, ${failed} failed of the last ${n} cycles`,
    line(':red_circle:', 'Prometheus', tally(cycles, 'signal '), n, 'query failures'),
    line(':red_circle:', 'Slack', tally(cycles, 'publish '), n, 'failed card posts or updates'),
  ].join('\n');
}

/** The status reply with the stages' health and the silences in force after it. */
export function withStageHealth(
  status: SlackMessage,
  cycles: readonly RecentCycle[],
  silencesInForce: number,
): SlackMessage {
  const health = `${stageHealthText(cycles)}\n*Silences and maintenance in force or ahead:* ${silencesInForce}`;
  return {
    text: `${status.text}\n${health}`,
    blocks: [...status.blocks, { type: 'section', text: { type: 'mrkdwn', text: truncate(health, 3000) } }],
  };
}
