import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import type { VigilEnv } from '../config/env-schema.js';
import type { Logger } from '../logger.js';
import { runReplay } from '../replay/run-replay.js';
import { mrkdwnToPlain, renderCardText } from '../slack/blocks/render-card-text.js';
import type { CardPublisher } from '../slack/card-publisher.js';
import { checkOutgoingMessages } from '../slack/check-outgoing-messages.js';
import { createPostingClient } from '../slack/create-posting-client.js';
import { createRateLimitGate } from '../slack/create-rate-limit-gate.js';
import { createSlackPublisher } from '../slack/create-slack-publisher.js';
import { createSlackRemediationNotifier } from '../slack/create-slack-remediation-notifier.js';
import { slackClientOptions } from '../slack/slack-client-options.js';
import { createRecordingPublisher, type RecordedCall } from './create-recording-publisher.js';
import { demoCommand } from './declare-demo-silence.js';
import { createDemoRemediation, type DemoRemediationMessage } from './demo-remediation.js';
import { demoConfig, generateDemoScenario } from './generate-demo-scenario.js';

export interface DemoOptions {
  outDir: string;
  env: VigilEnv;
  logger: Logger;
  write: (text: string) => void;
}

/** A remediation message as the terminal shows it: who sees it, and its text as Slack renders it. */
function describeRemediationMessage(m: DemoRemediationMessage): string {
  const indent = (text: string) => text.split('\n').join('\n    ');
  switch (m.method) {
    case 'respond (ephemeral)':
      return `  ↳ only ${m.user} sees: ${indent(mrkdwnToPlain(m.text))}\n`;
    case 'chat.postMessage (thread text)':
      return `  ↳ thread reply: ${indent(mrkdwnToPlain(m.text))}\n`;
    case 'chat.postMessage (thread)':
      return `  ↳ remediation request in the card's thread:\n${renderCardText(m.message)}\n`;
    case 'chat.update':
      return `  ↳ remediation request updated:\n${renderCardText(m.message)}\n`;
  }
}

/** Sends every card to one channel: a demo must not post into real team channels. */
function toChannel(channel: string, inner: CardPublisher): CardPublisher {
  return {
    post: (_c, message, incidentId) => inner.post(channel, message, incidentId),
    findCard: (_c, incidentId, since) => inner.findCard(channel, incidentId, since),
    update: (c, ts, message) => inner.update(c, ts, message),
    reply: (c, ts, text) => inner.reply(c, ts, text),
    ...(inner.attachImage ? { attachImage: inner.attachImage } : {}),
  };
}

/**
 * Replays the bundled demo scenario through the production pipeline and shows the cards a person
 * would see; with SLACK_BOT_TOKEN set, posts them for real to VIGIL_DEMO_CHANNEL.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const { env, write } = options;
  const scenario = generateDemoScenario();
  const gate = createRateLimitGate();
  // Messages fitted to Slack's limits on the way out, as the bot's are (checkOutgoingMessages).
  const slackFetch = checkOutgoingMessages(gate.fetch, options.logger);
  const liveClient = env.SLACK_BOT_TOKEN
    ? new WebClient(
        env.SLACK_BOT_TOKEN,
        slackClientOptions({ apiUrl: env.SLACK_API_URL, timeoutMs: 10_000, retries: 2, fetch: slackFetch }),
      )
    : undefined;
  const live = env.SLACK_BOT_TOKEN
    ? toChannel(
        env.VIGIL_DEMO_CHANNEL,
        createSlackPublisher({
          client: liveClient as WebClient,
          poster: createPostingClient(env.SLACK_BOT_TOKEN, {
            apiUrl: env.SLACK_API_URL,
            timeoutMs: 10_000,
            fetch: slackFetch,
          }),
        }),
      )
    : undefined;
  write(
    `Vigil demo: replaying 8 hours of 5 services (${scenario.samples.length} samples) minute by minute.\n` +
      (live
        ? `Posting cards to ${env.VIGIL_DEMO_CHANNEL} in Slack as well.\n\n`
        : 'No SLACK_BOT_TOKEN set: cards are shown here and saved, not posted.\n\n'),
  );
  const onCall = (call: RecordedCall) => {
    if (call.method === 'chat.postMessage') {
      write(`\n▶ new card in ${call.channel}\n${renderCardText(call.message)}\n`);
    } else if (call.method === 'chat.postMessage (thread)') {
      write(`  ↳ thread reply: ${mrkdwnToPlain(call.text).split('\n').join('\n    ')}\n`);
    } else if (call.method === 'files.uploadV2') {
      write(`  ↳ chart in the thread: ${saveChart(call.incident_id)}\n    (${call.alt_text})\n`);
    }
  };
  // The charts are written as they are made: the printed card names the file.
  const saveChart = (incidentId: string): string => {
    const image = publisher.images.get(incidentId);
    if (!image) return '(not rendered)';
    const path = join(options.outDir, image.filename);
    mkdirSync(options.outDir, { recursive: true });
    writeFileSync(path, image.png);
    return path;
  };
  const publisher = createRecordingPublisher(onCall, live);
  // A silence typed in Slack before the catalog burst (06:40–06:55): recorded, never paged.
  const silenceAt = new Date(Date.parse(scenario.samples[0]?.timestamp ?? '2026-11-02T00:00:00Z') + 390 * 60_000);
  const silenceText = 'silence catalog-api 1h canary rollout, errors expected';
  const silenceLog: string[] = [];
  const base = demoConfig();
  // A remediation request on the first multi-service incident, approved and run as a dry run.
  const remediation = createDemoRemediation({
    remediation: base.remediation,
    logger: options.logger,
    show: (m) => write(describeRemediationMessage(m)),
    ...(liveClient ? { forward: createSlackRemediationNotifier(liveClient) } : {}),
  });
  const result = await runReplay({
    scenario,
    base,
    logger: options.logger,
    publisher,
    remediation: remediation.options,
    onCycle: (now, _outcome, pipeline) => remediation.onCycle(now, pipeline),
    beforeTicks: async (pipeline) => {
      const reply = await demoCommand(silenceText, pipeline, silenceAt, options.logger);
      const list = await demoCommand('silences', pipeline, silenceAt, options.logger);
      silenceLog.push(
        `/vigil ${silenceText}`,
        mrkdwnToPlain(reply.text),
        '',
        '/vigil silences',
        mrkdwnToPlain(list.text),
      );
      write(`▶ ${silenceAt.toISOString().slice(11, 16)} UTC, someone types in Slack:\n  ${silenceLog.join('\n  ')}\n`);
    },
  });
  // Stories held by a silence or maintenance: recorded, never paged (not even when they resolve).
  for (const i of result.incidents) {
    const held = result.pipeline.repos.incidents.get(i.id)?.suppression_reason;
    if (i.paged || !held) continue;
    const line = `${i.id} (${i.services.join(', ')}, ${i.anomaly_count} anomalies from ${i.created_at.slice(11, 16)} UTC, ${i.status}): recorded, not paged — ${held}`;
    silenceLog.push('', line);
    write(`\n▶ suppressed by the silence: ${mrkdwnToPlain(line)}\n`);
  }
  const updates = publisher.calls.filter((c) => c.method === 'chat.update').length;
  write(`\n══ Cards as they stand at the end (after ${updates} in-place updates) ══\n`);
  for (const { channel, message } of publisher.cards.values()) write(`\n${channel}\n${renderCardText(message)}\n`);

  mkdirSync(join(options.outDir, 'cards'), { recursive: true });
  for (const [ts, card] of publisher.cards) {
    writeFileSync(join(options.outDir, 'cards', `${ts}.json`), `${JSON.stringify(card, null, 2)}\n`);
  }
  writeFileSync(join(options.outDir, 'silence.txt'), `${silenceLog.join('\n')}\n`);
  writeFileSync(
    join(options.outDir, 'slack-calls.jsonl'),
    `${publisher.calls.map((c) => JSON.stringify(c)).join('\n')}\n`,
  );
  writeFileSync(
    join(options.outDir, 'remediation-messages.jsonl'),
    `${remediation.messages.map((m) => JSON.stringify(m)).join('\n')}\n`,
  );
  writeFileSync(
    join(options.outDir, 'incidents.jsonl'),
    `${result.incidents.map((i) => JSON.stringify(i)).join('\n')}\n`,
  );
  write(
    `\n${result.incidents.length} incidents from ${result.anomalies} anomalies in ${result.cycles} cycles. ` +
      `Block Kit JSON of each card: ${join(options.outDir, 'cards')}/; every Slack call: ${join(options.outDir, 'slack-calls.jsonl')}; ` +
      `charts (PNG): ${publisher.images.size === 0 ? 'none' : [...publisher.images.values()].map((i) => join(options.outDir, i.filename)).join(', ')}; ` +
      `the remediation request's messages: ${join(options.outDir, 'remediation-messages.jsonl')}\n`,
  );
  result.db.close();
  return 0;
}
