import type { SlackMessage } from '../../blocks/block-kit-limits.js';
import { buildIncidentsReply, buildStatusReply, buildUsageReply } from '../../blocks/build-command-replies.js';
import type { ListenerDeps } from '../deps.js';

/** The reply to `/vigil <text>`: a subcommand and its arguments; anything else gets the usage. */
export function answerVigilCommand(text: string, deps: ListenerDeps): SlackMessage {
  const [sub = 'help', ...args] = text.trim().split(/\s+/).filter(Boolean);
  const noArgs = (name: string) => (args.length > 0 ? buildUsageReply(`\`${name}\` takes no arguments`) : null);
  switch (sub.toLowerCase()) {
    case 'help':
      return buildUsageReply();
    case 'status':
      return (
        noArgs('status') ??
        buildStatusReply({
          lastCycle: deps.repos.cycles.latest(),
          openIncidents: deps.repos.incidents.listActive().length,
          seriesTracked: deps.seriesTracked(),
          cycleRunning: deps.cycleRunning(),
          now: deps.now(),
        })
      );
    case 'incidents':
      return noArgs('incidents') ?? buildIncidentsReply(deps.repos.incidents.listActive());
    default:
      return buildUsageReply(`Unknown command \`${sub.slice(0, 40)}\`.`);
  }
}
