import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../deps.js';
import { publishHome } from './publish-home.js';
import { recordReaction } from './record-reaction.js';

export function register(app: App, deps: ListenerDeps): void {
  // Bolt acknowledges Events API requests itself before listeners run.
  app.event('reaction_added', async ({ event }) => {
    await recordReaction(event, true, deps);
  });
  app.event('reaction_removed', async ({ event }) => {
    await recordReaction(event, false, deps);
  });
  // The Home tab is built when it is opened (it is per user, and what it lists changes all the time).
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(client, event.user, deps);
  });
}
