import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../deps.js';
import { recordReaction } from './record-reaction.js';

export function register(app: App, deps: ListenerDeps): void {
  // Bolt acknowledges Events API requests itself before listeners run.
  app.event('reaction_added', async ({ event }) => {
    await recordReaction(event, true, deps);
  });
  app.event('reaction_removed', async ({ event }) => {
    await recordReaction(event, false, deps);
  });
}
