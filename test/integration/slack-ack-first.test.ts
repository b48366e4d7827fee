/**
 * Slack is never kept waiting (issue 12, item 4): every listener acknowledges the request before
 * its work. Each command, button and dialog test holds the work behind a gate the test controls
 * (the card update, the remediation service) and shows that the HTTP answer to a really signed
 * request, through Bolt's real HTTPReceiver, arrives while that work is still held; then opens the
 * gate and sees the work finish. A listener that acked after its work would get Bolt's 404 instead. Real SQLite with the real migrations; Slack's Web API is the double in
 * test/helpers/fake-slack.ts.
 */
import type { AddressInfo } from 'node:net';
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRepos, type Repos } from '../../src/pipeline/create-pipeline.js';
import type { Outcome, RemediationService } from '../../src/remediation/create-remediation-service.js';
import { ActionId, BlockId } from '../../src/slack/action-ids.js';
import { labelMenuValue } from '../../src/slack/blocks/build-incident-card.js';
import { createSlackApp } from '../../src/slack/create-slack-app.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { loggerInto } from '../helpers/logger-into.js';
import { makeOpenIncident } from '../helpers/make-incident.js';
import {
  blockActionBody,
  postSigned,
  selectActionBody,
  slashCommandBody,
  viewSubmissionBody,
} from '../helpers/signed-slack-request.js';

const SECRET = 'test-signing-secret-0123456789abcdef';

/** Work that waits until the test lets it go; `held` lists what is waiting. */
interface Gate {
  pass(what: string): Promise<void>;
  held: string[];
  open(): void;
}

function createGate(): Gate {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const held: string[] = [];
  return {
    held,
    open: () => open(),
    async pass(what) {
      held.push(what);
      await opened;
    },
  };
}

/** The remediation service as listeners see it, each decision held at the gate. */
function gatedRemediation(gate: () => Gate): RemediationService {
  const decided = (what: string) => async (): Promise<Outcome> => {
    await gate().pass(what);
    return { ok: true, message: `${what} done` };
  };
  const unused = () => {
    throw new Error('not used by listeners');
  };
  return {
    offers: unused,
    stateLines: unused,
    request: decided('request'),
    approve: decided('approve'),
    reject: decided('reject'),
    mayDecide: decided('mayDecide'),
    expireDue: unused,
    recoverInterrupted: unused,
    autoRemediate: unused,
  };
}

describe('every Slack listener acks before its work', () => {
  let slack: FakeSlack;
  let db: Db;
  let repos: Repos;
  let app: App;
  let url: string;
  let gate: Gate;
  const logLines: string[] = [];

  beforeAll(async () => {
    slack = await startFakeSlack({ channels: [{ name: '#team-payments', member: true }] });
    db = openDatabase(':memory:');
    repos = createRepos(db);
    for (const id of ['inc-cmd', 'inc-button', 'inc-reaction', 'inc-menu']) {
      repos.incidents.save(makeOpenIncident(id, ['payment-api'], '2026-04-21T02:13:00.000Z'), []);
    }
    const logger = loggerInto(logLines);
    app = createSlackApp(
      {
        mode: 'http',
        secrets: { botToken: 'xoxb-test-token', signingSecret: SECRET, apiUrl: slack.apiUrl },
        timeoutMs: 2000,
        retries: 0,
        logger,
        // A listener that never acks gets Bolt's own 404 after this long: the tests would see it.
        unhandledRequestTimeoutMillis: 1000,
      },
      {
        repos,
        logger,
        now: () => new Date('2026-04-21T02:20:00Z'),
        seriesTracked: () => 0,
        cycleRunning: () => false,
        lastCycle: () => undefined,
        republish: (id) => gate.pass(`republish ${id}`),
        remediation: gatedRemediation(() => gate),
      },
    );
    await app.init();
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as { address(): AddressInfo };
    url = `http://127.0.0.1:${server.address().port}/slack/events`;
  });

  afterAll(async () => {
    await app?.stop();
    await slack?.close();
    db?.close();
  });

  const form = (body: string) =>
    postSigned({ url, secret: SECRET, body, contentType: 'application/x-www-form-urlencoded' });

  /** Sends the request with the gate shut: its answer must come while the work waits at the gate. */
  async function answeredWhileHeld(send: () => Promise<Response>, work: string): Promise<Response> {
    gate = createGate();
    const res = await send();
    await res.text();
    expect(res.status).toBe(200);
    await slack.waitFor(() => gate.held.includes(work));
    return res;
  }

  it('/vigil ack: the empty ack comes first, the reply once the card is updated', async () => {
    const body = slashCommandBody({ text: 'ack inc-cmd', response_url: slack.responseUrl('cmd-ack') });
    await answeredWhileHeld(() => form(body), 'republish inc-cmd');
    expect(slack.responses.find((r) => r.id === 'cmd-ack')).toBeUndefined();
    gate.open();
    const reply = await slack.waitFor(() => slack.responses.find((r) => r.id === 'cmd-ack'));
    expect(reply.body).toMatchObject({ response_type: 'ephemeral', text: 'inc-cmd acknowledged by <@U0ONCALL>.' });
  });

  it('the Acknowledge button: acked while the card update is held', async () => {
    const body = blockActionBody({
      user: 'U0ONCALL',
      actionId: ActionId.acknowledge,
      value: 'inc-button',
      channel: slack.channelIdOf('#team-payments'),
      messageTs: '1760000000.000100',
      responseUrl: slack.responseUrl('button'),
    });
    await answeredWhileHeld(() => form(body), 'republish inc-button');
    expect(repos.incidents.get('inc-button')?.status).toBe('acknowledged');
    gate.open();
  });

  it('the label menu: acked and stored while the card update is held, the picker told after', async () => {
    const body = selectActionBody({
      user: 'U0ONCALL',
      actionId: ActionId.label,
      value: labelMenuValue('inc-menu', 'late'),
      channel: slack.channelIdOf('#team-payments'),
      messageTs: '1760000000.000300',
      responseUrl: slack.responseUrl('menu'),
    });
    await answeredWhileHeld(() => form(body), 'republish inc-menu');
    expect(repos.feedback.listForIncident('inc-menu').map((f) => [f.label, f.source])).toEqual([['late', 'menu']]);
    expect(slack.responses.find((r) => r.id === 'menu')).toBeUndefined();
    gate.open();
    const told = await slack.waitFor(() => slack.responses.find((r) => r.id === 'menu'));
    expect(told.body).toMatchObject({ response_type: 'ephemeral', text: 'You labelled inc-menu *late*. Thank you.' });
  });

  it.each([
    [
      'a remediation button',
      'vigil_remediate_0',
      '{"incident":"inc-button","action":"restart","target":"payment-api"}',
      'request',
    ],
    ['Approve', ActionId.approve, 'RQ-1', 'approve'],
    ['Reject (before its dialog)', ActionId.reject, 'RQ-1', 'mayDecide'],
  ])(
    '%s: acked while the remediation service decides, the clicker told after',
    async (_name, actionId, value, work) => {
      const id = `click-${work}`;
      const body = blockActionBody({
        user: 'U0LEAD',
        actionId,
        value,
        channel: slack.channelIdOf('#team-payments'),
        messageTs: '1760000000.000100',
        responseUrl: slack.responseUrl(id),
      });
      await answeredWhileHeld(() => form(body), work);
      expect(slack.responses.find((r) => r.id === id)).toBeUndefined();
      gate.open();
      if (work === 'mayDecide') {
        // Allowed to decide: the reject dialog opens, with the clicker's trigger.
        const open = await slack.waitFor(() => slack.callsTo('views.open')[0]);
        expect(open.params.trigger_id).toBe('trigger-U0LEAD');
      } else {
        const told = await slack.waitFor(() => slack.responses.find((r) => r.id === id));
        expect(told.body).toMatchObject({ response_type: 'ephemeral', text: `${work} done` });
      }
    },
  );

  it('the reject dialog: its submission is acked (the dialog closes) while the rejection is held', async () => {
    const body = viewSubmissionBody({
      user: 'U0LEAD',
      callbackId: ActionId.rejectModal,
      privateMetadata: 'RQ-1',
      values: { [BlockId.rejectReason]: { [ActionId.rejectReason]: { type: 'plain_text_input', value: 'not now' } } },
    });
    await answeredWhileHeld(() => form(body), 'reject');
    gate.open();
  });

  // Events API requests are acked by Bolt itself before any listener runs (App.processEvent), so
  // there is no ack for Vigil to misplace; what Vigil owns is that a failing listener still answers
  // 200 (a 500 makes Slack retry the event) and that its error reaches the one global handler.
  it('a reaction whose store fails is still answered 200, and the error reaches app.error', async () => {
    const channel = slack.channelIdOf('#team-payments');
    repos.incidents.setMessage('inc-reaction', channel, '1760000000.000200');
    const set = vi.spyOn(repos.feedback, 'set').mockImplementation(() => {
      throw new Error('database is locked');
    });
    const res = await slack.deliverEvent(
      { url, secret: SECRET },
      {
        type: 'reaction_added',
        user: 'U0ONCALL',
        reaction: '+1',
        item: { type: 'message', channel, ts: '1760000000.000200' },
      },
    );
    expect(res?.status).toBe(200);
    expect(set).toHaveBeenCalledTimes(1);
    await slack.waitFor(() =>
      logLines.find((l) => l.includes('Slack listener failed') && l.includes('database is locked')),
    );
    set.mockRestore();
  });
});
