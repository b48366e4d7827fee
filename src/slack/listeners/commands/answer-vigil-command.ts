import { BACKTEST_USAGE, parseBacktestArgs } from '../../../backtest/parse-backtest-args.js';
import { changeStatus } from '../../../incidents/change-status.js';
import type { CycleReport } from '../../../storage/cycles-repo.js';
import type { SlackMessage } from '../../blocks/block-kit-limits.js';
import {
  buildAuditReply,
  buildIncidentsReply,
  buildStatusReply,
  buildUsageReply,
  INCIDENTS_LISTED,
  LATE_CARDS_SHOWN,
} from '../../blocks/build-command-replies.js';
import { HEALTH_CYCLES, withStageHealth } from '../../blocks/build-stage-health.js';
import type { ListenerDeps } from '../deps.js';
import { answerExplainCommand } from './answer-explain-command.js';
import { answerMaintenanceCommand } from './answer-maintenance-command.js';
import { answerShadowCommand, DEFAULT_SHADOW_SETUP } from './answer-shadow-command.js';
import { answerShowCommand } from './answer-show-command.js';
import { answerSilenceCommand } from './answer-silence-command.js';
import { answerSilencesCommand } from './answer-silences-command.js';
import { answerStats } from './answer-stats.js';
import { answerTopologyCommand } from './answer-topology-command.js';
import { answerUnsilenceCommand } from './answer-unsilence-command.js';

/**
 * The newer of the stored and the remembered last cycle: a cycle whose report could not be
 * stored (the database is what failed) must still show; after a restart only the stored one exists.
 */
function newerCycle(stored: CycleReport | undefined, remembered: CycleReport | undefined): CycleReport | undefined {
  if (!stored || !remembered) return stored ?? remembered;
  return Date.parse(remembered.finished_at) > Date.parse(stored.finished_at) ? remembered : stored;
}

/**
 * The reply to `/vigil <text>`: a subcommand and its arguments; anything else gets the usage.
 * `user` is who asked (ack/resolve are recorded in their name). Replies read counts and a LIMITed
 * page from indexes, never every open incident: they run while a tick may be busy too (issue 12).
 */
export async function answerVigilCommand(
  text: string,
  deps: ListenerDeps,
  user = 'unknown',
  channel = '',
): Promise<SlackMessage> {
  const [sub = 'help', ...args] = text.trim().split(/\s+/).filter(Boolean);
  const noArgs = (name: string) => (args.length > 0 ? buildUsageReply(`\`${name}\` takes no arguments`) : null);
  switch (sub.toLowerCase()) {
    case 'help':
      return buildUsageReply();
    case 'status':
      return (
        noArgs('status') ??
        withStageHealth(
          buildStatusReply({
            lastCycle: newerCycle(deps.repos.cycles.latest(), deps.lastCycle()),
            openIncidents: deps.repos.incidents.countActive(),
            seriesTracked: deps.seriesTracked(),
            cycleRunning: deps.cycleRunning(),
            now: deps.now(),
            lastRecalibration: deps.repos.detectorState.latestRun(),
            lateCards: deps.repos.incidents.listLate(LATE_CARDS_SHOWN),
            lateTotal: deps.repos.incidents.countLate(),
          }),
          deps.repos.cycles.recent(HEALTH_CYCLES),
          deps.repos.silences.countLive(deps.now().toISOString()),
        )
      );
    case 'incidents':
      return (
        noArgs('incidents') ??
        buildIncidentsReply(
          deps.repos.incidents.listActiveSummaries(INCIDENTS_LISTED),
          deps.repos.incidents.countActive(),
        )
      );
    case 'ack':
    case 'resolve': {
      const [id, ...why] = args;
      if (!id || (sub.toLowerCase() === 'ack' && why.length > 0)) {
        return buildUsageReply(
          sub.toLowerCase() === 'ack'
            ? '`ack` takes an incident id'
            : '`resolve` takes an incident id and an optional reason',
        );
      }
      const to = sub.toLowerCase() === 'ack' ? 'acknowledged' : 'resolved';
      const reason =
        why.join(' ').slice(0, 500) || (to === 'acknowledged' ? 'acknowledged with /vigil' : 'resolved with /vigil');
      const result = changeStatus(deps.repos.incidents, id, to, user, reason, deps.now());
      if (!result.ok) return buildUsageReply(result.message);
      await deps.republish(id);
      const text = `${id} ${to} by <@${user}>.`;
      return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
    }
    case 'stats':
      return answerStats(args, deps);
    case 'audit': {
      if (args.length > 1) return buildUsageReply('`audit` takes at most an incident id');
      const [incidentId] = args;
      const entries = deps.repos.remediation.auditLog({ limit: 15, ...(incidentId ? { incidentId } : {}) });
      return buildAuditReply(entries, incidentId);
    }
    case 'explain':
      return answerExplainCommand(args, deps);
    case 'backtest': {
      // Validated here, answered at once; the run itself goes on in the background (see createSlackBacktests).
      const parsed = parseBacktestArgs(args);
      if (!parsed.ok) return buildUsageReply(`${parsed.problem}: \`${BACKTEST_USAGE}\``);
      if (!deps.backtests) return buildUsageReply('Backtests are not available in this Vigil.');
      return deps.backtests.start({ args: parsed.args, user, channel });
    }
    case 'shadow':
      return answerShadowCommand(args, deps.repos.shadow, deps.shadow ?? DEFAULT_SHADOW_SETUP, deps.now());
    case 'show':
      return answerShowCommand(args, deps);
    case 'silence':
      return answerSilenceCommand(args, deps, user);
    case 'maintenance':
      return answerMaintenanceCommand(args, deps, user);
    case 'silences':
      return answerSilencesCommand(args, deps);
    case 'unsilence':
      return answerUnsilenceCommand(args, deps, user);
    case 'topology':
      return answerTopologyCommand(args, deps.topology, deps.topologySource ?? null, deps.now());
    default:
      return buildUsageReply(`Unknown command \`${sub.slice(0, 40)}\`.`);
  }
}
