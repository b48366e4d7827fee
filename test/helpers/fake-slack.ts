/**
 * A stand-in for Slack's Web API (which cannot be reached from here): a real HTTP server that
 * records every call and answers as strictly as Slack does. It keeps a workspace: channels, public
 * or private, which of them the bot is in, and the messages posted there (with their metadata).
 * Like Slack it refuses posts to channels the bot may not post to, hides private channels the bot is
 * not in, sends events only from channels the bot is a member of, can take a post and answer it
 * late (the message exists although the client gave up), and answers 429 with Retry-After.
 * File uploads go as with Slack's files.uploadV2: files.getUploadURLExternal (files:write scope)
 * hands out an upload URL on this server, the bytes are POSTed there, and
 * files.completeUploadExternal shares the uploaded files into a channel (or a thread) the bot is in.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventBody, postSigned } from './signed-slack-request.js';

export interface RecordedSlackCall {
  method: string;
  params: Record<string, unknown>;
  authorization: string | undefined;
}

export type Failure = { status: 429; retryAfter: number } | { error: string };

export interface FakeChannel {
  id: string;
  name: string;
  private: boolean;
  archived: boolean;
  /** Whether the bot is a member (conversations.join, or a person's /invite). */
  member: boolean;
}

export interface FakeMessage {
  ts: string;
  text: unknown;
  blocks?: unknown;
  thread_ts?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** Files shared with the message (files.completeUploadExternal). */
  files?: Array<{ id: string; title: string | undefined }>;
  bot_id: string;
}

/** A file uploaded with the external upload flow (files.uploadV2). */
export interface FakeFile {
  id: string;
  filename: string;
  /** The length announced to files.getUploadURLExternal. */
  length: number;
  alt_text: string | undefined;
  /** The bytes POSTed to the upload URL; null until then. */
  bytes: Buffer | null;
  /** Set by files.completeUploadExternal. */
  shared: {
    channel: string;
    thread_ts: string | undefined;
    title: string | undefined;
    initial_comment: string | undefined;
  } | null;
}

export interface FakeSlackOptions {
  /** Channels of the workspace, e.g. `#team-payments`; public and without the bot unless said. */
  channels?: Array<string | { name: string; private?: boolean; member?: boolean; archived?: boolean }>;
  /** Bot token scopes; default: those of slack-app-manifest.yml. */
  scopes?: string[];
}

export interface FakeSlack {
  apiUrl: string;
  responseUrl: (id: string) => string;
  calls: RecordedSlackCall[];
  /** JSON bodies POSTed to response_url (slash-command replies), by id. */
  responses: Array<{ id: string; body: Record<string, unknown> }>;
  callsTo(method: string): RecordedSlackCall[];
  /** The next call to `method` fails this way. */
  failNext(method: string, failure: Failure): void;
  /**
   * The next call to `method` is carried out (a post is stored) but its answer is held until the
   * client gives up and closes the connection: a timeout after Slack accepted the call.
   */
  answerLate(method: string): void;
  channelIdOf(name: string): string;
  addChannel(name: string, options?: { private?: boolean; member?: boolean; archived?: boolean }): FakeChannel;
  channel(nameOrId: string): FakeChannel | undefined;
  /** A person invites the bot (`/invite @Vigil`): the only way into a private channel. */
  invite(nameOrId: string): void;
  /**
   * Another app (a second Vigil, for staging, say) posts in a channel: its messages carry that app's
   * bot_id. Returns the message's ts.
   */
  postAsOtherApp(nameOrId: string, message: Pick<FakeMessage, 'text' | 'metadata'> & { bot_id: string }): string;
  /** Messages in a channel, oldest first (thread replies included). */
  messagesIn(nameOrId: string): FakeMessage[];
  /**
   * Sends an Events API event to Bolt, signed, as Slack would, which is only when the bot is a
   * member of the event's channel (`item.channel` for reactions, `channel` for messages). Returns
   * null when Slack would not send it.
   */
  deliverEvent(target: { url: string; secret: string }, event: Record<string, unknown>): Promise<Response | null>;
  /** Socket Mode: the WebSocket URL apps.connections.open hands out. */
  socketUrl: string | undefined;
  /** Members of user groups, answered by usergroups.users.list. */
  userGroups: Map<string, string[]>;
  /** Home tabs published (views.publish), by user id: the latest view each. */
  homeViews: Map<string, { type: string; blocks: Array<Record<string, unknown>> }>;
  /** Files by id, as uploaded (files.getUploadURLExternal, the upload POST, files.completeUploadExternal). */
  files: Map<string, FakeFile>;
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** Bot scopes of slack-app-manifest.yml. */
export const MANIFEST_SCOPES = [
  'chat:write',
  'chat:write.public',
  'commands',
  'reactions:read',
  'files:write',
  'usergroups:read',
  'channels:read',
  'groups:read',
  'channels:join',
  'channels:history',
  'groups:history',
];

const BOT_ID = 'B0VIGIL';
/** The Web API client sends nested fields as JSON strings in its form bodies. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata']);

/** Block types Slack accepts in a Home view that Vigil may send. */
const VIEW_BLOCK_TYPES = new Set(['header', 'section', 'divider', 'context', 'actions', 'image']);

/**
 * What views.publish checks, as Slack does (https://docs.slack.dev/reference/methods/views.publish):
 * a `home` view of at most 100 blocks, each of a known type, section text 1–3000 characters, header
 * text ≤ 150, private_metadata ≤ 3000. Slack answers `invalid_arguments` with the messages.
 */
function viewProblems(view: unknown): string[] {
  if (typeof view !== 'object' || view === null) return ['[ERROR] missing required field: view'];
  const v = view as { type?: unknown; blocks?: unknown; private_metadata?: unknown };
  const problems: string[] = [];
  if (v.type !== 'home') problems.push('[ERROR] must be home [json-pointer:/view/type]');
  if (!Array.isArray(v.blocks)) return [...problems, '[ERROR] missing required field: blocks [json-pointer:/view]'];
  if (v.blocks.length > 100) problems.push('[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]');
  if (typeof v.private_metadata === 'string' && v.private_metadata.length > 3000)
    problems.push('[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]');
  v.blocks.forEach((b: { type?: unknown; text?: { text?: unknown } }, i: number) => {
    if (!VIEW_BLOCK_TYPES.has(String(b?.type)))
      problems.push(`[ERROR] unsupported type [json-pointer:/view/blocks/${i}]`);
    const text = b?.text?.text;
    const max = b?.type === 'header' ? 150 : 3000;
    if (b?.text !== undefined && (typeof text !== 'string' || text.length === 0 || text.length > max))
      problems.push(`[ERROR] must be 1-${max} characters [json-pointer:/view/blocks/${i}/text/text]`);
  });
  return problems;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The file in a multipart/form-data upload (web-api sends it as a form field), parsed by undici as a server would. */
async function uploadedBytes(contentType: string | undefined, raw: Buffer): Promise<Buffer | null> {
  if (!contentType?.startsWith('multipart/form-data')) return null;
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  for (const [, value] of form) if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  return null;
}

function parseParams(contentType: string | undefined, raw: string): Record<string, unknown> {
  if (contentType?.includes('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const params: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) params[k] = JSON_FIELDS.has(k) ? JSON.parse(v) : v;
  return params;
}

/**
 * What Slack refuses in a message (chat.postMessage, chat.update, chat.postEphemeral, a
 * response_url reply), written apart from Vigil's own check so that the double does not share its
 * mistakes: `msg_too_long` past 40 000 characters of text, `invalid_blocks` for a block over Block
 * Kit's limits (https://docs.slack.dev/reference/block-kit/blocks), `msg_blocks_too_long` for
 * blocks too long in all.
 */
export function slackMessageRefusal(params: Record<string, unknown>): string | null {
  if (typeof params.text === 'string' && params.text.length > 40_000) return 'msg_too_long';
  const blocks = params.blocks;
  if (blocks === undefined) return typeof params.text === 'string' && params.text.length > 0 ? null : 'no_text';
  if (!Array.isArray(blocks) || blocks.length > 50) return 'invalid_blocks';
  const textOk = (t: unknown, max: number) => {
    const text = (t as { text?: unknown } | undefined)?.text;
    return typeof text === 'string' && text.length >= 1 && text.length <= max;
  };
  for (const b of blocks as Array<Record<string, unknown>>) {
    const elements = (b.elements ?? []) as unknown[];
    const fields = (b.fields ?? []) as unknown[];
    const ok =
      b.type === 'header'
        ? textOk(b.text, 150)
        : b.type === 'section'
          ? (b.text === undefined || textOk(b.text, 3000)) &&
            fields.length <= 10 &&
            fields.every((f) => textOk(f, 2000))
          : b.type === 'context'
            ? elements.length >= 1 && elements.length <= 10 && elements.every((e) => textOk(e, 3000))
            : b.type === 'actions'
              ? elements.length >= 1 && elements.length <= 25
              : true;
    if (!ok) return 'invalid_blocks';
  }
  return JSON.stringify(blocks).length > 13_000 ? 'msg_blocks_too_long' : null;
}

const truthy = (v: unknown) => v === true || v === 'true' || v === '1' || v === 1;

/** Slack's cursors are opaque; an offset in base64 behaves the same. */
const cursorOf = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64');
const offsetOf = (cursor: unknown) =>
  typeof cursor === 'string' && cursor ? Number(Buffer.from(cursor, 'base64').toString().slice(7)) : 0;

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const calls: RecordedSlackCall[] = [];
  const responses: FakeSlack['responses'] = [];
  const failures = new Map<string, Failure[]>();
  const late = new Set<string>();
  const scopes = new Set(options.scopes ?? MANIFEST_SCOPES);
  const channels = new Map<string, FakeChannel>();
  const messages = new Map<string, FakeMessage[]>();
  const files = new Map<string, FakeFile>();
  let tsCounter = 0;
  const channelIdOf = (name: string) =>
    name.startsWith('#') ? `C${createHash('sha1').update(name).digest('hex').slice(0, 9).toUpperCase()}` : name;
  const lookup = (nameOrId: string) =>
    nameOrId.startsWith('#')
      ? [...channels.values()].find((c) => c.name === nameOrId.slice(1))
      : channels.get(nameOrId);
  /** What the bot can see: a private channel it is not in does not exist for it. */
  const visible = (c: FakeChannel | undefined) => (c && (!c.private || c.member) ? c : undefined);
  const info = (c: FakeChannel) => ({
    id: c.id,
    name: c.name,
    is_channel: true,
    is_private: c.private,
    is_archived: c.archived,
    is_member: c.member,
  });
  // Slack's ts: seconds since the epoch, then a sequence making it unique.
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, '0')}`;

  /** Slack's answer to a Web API call (HTTP 200; failures and 429s are sent before this is asked). */
  function answer(method: string, params: Record<string, unknown>): { body: unknown } {
    const fail = (error: string) => ({ body: { ok: false, error } });
    const needs = (scope: string) =>
      scopes.has(scope) ? null : { body: { ok: false, error: 'missing_scope', needed: scope } };
    switch (method) {
      case 'auth.test':
        return {
          body: {
            ok: true,
            url: 'https://vigil-test.slack.com/',
            team: 'Vigil Test',
            user: 'vigil',
            team_id: 'T0TEST',
            user_id: 'U0VIGIL',
            bot_id: BOT_ID,
          },
        };
      case 'chat.postMessage': {
        const c = visible(lookup(String(params.channel)));
        if (!c) return fail('channel_not_found');
        if (c.archived) return fail('is_archived');
        // chat:write.public posts to a public channel without joining it (https://docs.slack.dev/reference/scopes/chat.write.public).
        if (!c.member && !(scopes.has('chat:write.public') && !c.private)) return fail('not_in_channel');
        const refused = slackMessageRefusal(params);
        if (refused) return fail(refused);
        const message: FakeMessage = { ts: nextTs(), text: params.text, bot_id: BOT_ID };
        if (params.blocks !== undefined) message.blocks = params.blocks;
        if (typeof params.thread_ts === 'string') message.thread_ts = params.thread_ts;
        if (params.metadata) message.metadata = params.metadata as NonNullable<FakeMessage['metadata']>;
        messages.set(c.id, [...(messages.get(c.id) ?? []), message]);
        return { body: { ok: true, channel: c.id, ts: message.ts, message: { text: params.text } } };
      }
      case 'chat.update': {
        // Updates take the channel id Slack answered to the post.
        const c = visible(channels.get(String(params.channel)));
        if (!c) return fail('channel_not_found');
        const message = messages.get(c.id)?.find((m) => m.ts === params.ts);
        if (!message) return fail('message_not_found');
        const refused = slackMessageRefusal(params);
        if (refused) return fail(refused);
        message.text = params.text;
        if (params.blocks !== undefined) message.blocks = params.blocks;
        return { body: { ok: true, channel: c.id, ts: message.ts, text: params.text } };
      }
      case 'conversations.join': {
        const missing = needs('channels:join');
        if (missing) return missing;
        const c = visible(channels.get(String(params.channel)));
        if (!c) return fail('channel_not_found');
        if (c.private) return fail('method_not_supported_for_channel_type');
        if (c.archived) return fail('is_archived');
        const already = c.member;
        c.member = true;
        return {
          body: {
            ok: true,
            channel: info(c),
            ...(already
              ? { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } }
              : {}),
          },
        };
      }
      case 'conversations.info': {
        const c = visible(channels.get(String(params.channel)));
        return c ? { body: { ok: true, channel: info(c) } } : fail('channel_not_found');
      }
      case 'conversations.list': {
        const types = String(params.types ?? 'public_channel').split(',');
        const missing = types.includes('private_channel') ? needs('groups:read') : needs('channels:read');
        if (missing) return missing;
        const all = [...channels.values()].filter(
          (c) =>
            visible(c) &&
            types.includes(c.private ? 'private_channel' : 'public_channel') &&
            !(truthy(params.exclude_archived) && c.archived),
        );
        const offset = offsetOf(params.cursor);
        const limit = Math.min(Number(params.limit ?? 100), 1000);
        const page = all.slice(offset, offset + limit);
        const next = offset + limit < all.length ? cursorOf(offset + limit) : '';
        return { body: { ok: true, channels: page.map(info), response_metadata: { next_cursor: next } } };
      }
      case 'conversations.history': {
        const c = visible(channels.get(String(params.channel)));
        if (!c) return fail('channel_not_found');
        const missing = needs(c.private ? 'groups:history' : 'channels:history');
        if (missing) return missing;
        // A bot token reads the history of channels the bot is a member of only.
        if (!c.member) return fail('not_in_channel');
        const inclusive = truthy(params.inclusive);
        const oldest = Number(params.oldest ?? 0);
        const latest = params.latest === undefined ? Number.POSITIVE_INFINITY : Number(params.latest);
        const inRange = (ts: number) =>
          (inclusive ? ts >= oldest : ts > oldest) && (inclusive ? ts <= latest : ts < latest);
        // Thread replies are not part of the channel's history; newest first.
        const all = (messages.get(c.id) ?? [])
          .filter((m) => m.thread_ts === undefined && inRange(Number(m.ts)))
          .reverse();
        const offset = offsetOf(params.cursor);
        const limit = Math.min(Number(params.limit ?? 100), 999);
        const page = all.slice(offset, offset + limit).map(({ metadata, ...m }) => ({
          type: 'message',
          ...m,
          // Without include_all_metadata Slack leaves out metadata the app is not subscribed to.
          ...(metadata && truthy(params.include_all_metadata) ? { metadata } : {}),
        }));
        const more = offset + limit < all.length;
        return {
          body: {
            ok: true,
            messages: page,
            has_more: more,
            response_metadata: { next_cursor: more ? cursorOf(offset + limit) : '' },
          },
        };
      }
      case 'files.getUploadURLExternal': {
        const missing = needs('files:write');
        if (missing) return missing;
        const length = Number(params.length);
        if (typeof params.filename !== 'string' || !params.filename || !Number.isInteger(length) || length <= 0)
          return fail('invalid_arguments');
        const id = `F${String(files.size + 1).padStart(8, '0')}`;
        files.set(id, {
          id,
          filename: params.filename,
          length,
          alt_text: typeof params.alt_text === 'string' ? params.alt_text : undefined,
          bytes: null,
          shared: null,
        });
        return { body: { ok: true, upload_url: `http://127.0.0.1:${port}/upload/${id}`, file_id: id } };
      }
      case 'files.completeUploadExternal': {
        const missing = needs('files:write');
        if (missing) return missing;
        const listed = JSON.parse(String(params.files ?? '[]')) as Array<{ id: string; title?: string }>;
        if (listed.length === 0) return fail('invalid_arguments');
        // Only files whose bytes arrived, with as many bytes as announced, can be completed.
        const found = listed.map((f) => files.get(f.id));
        if (found.some((f) => !f?.bytes || f.bytes.length !== f.length)) return fail('file_not_found');
        const channelId = params.channel_id === undefined ? undefined : String(params.channel_id);
        if (channelId !== undefined) {
          const c = visible(channels.get(channelId));
          if (!c) return fail('channel_not_found');
          if (c.archived) return fail('is_archived');
          // Sharing a file needs membership: chat:write.public covers messages only.
          if (!c.member) return fail('not_in_channel');
          const threadTs = typeof params.thread_ts === 'string' ? params.thread_ts : undefined;
          if (threadTs && !messages.get(c.id)?.some((m) => m.ts === threadTs)) return fail('invalid_thread_ts');
          const comment = typeof params.initial_comment === 'string' ? params.initial_comment : undefined;
          listed.forEach((f, i) => {
            (found[i] as FakeFile).shared = {
              channel: c.id,
              thread_ts: threadTs,
              title: f.title,
              initial_comment: comment,
            };
          });
          const message: FakeMessage = {
            ts: nextTs(),
            text: comment ?? '',
            bot_id: BOT_ID,
            files: listed.map((f) => ({ id: f.id, title: f.title })),
            ...(threadTs ? { thread_ts: threadTs } : {}),
          };
          messages.set(c.id, [...(messages.get(c.id) ?? []), message]);
        }
        return { body: { ok: true, files: listed.map((f) => ({ id: f.id, title: f.title })) } };
      }
      case 'apps.connections.open':
        return fake.socketUrl ? { body: { ok: true, url: fake.socketUrl } } : fail('invalid_auth');
      case 'usergroups.users.list': {
        const members = fake.userGroups.get(String(params.usergroup));
        return members ? { body: { ok: true, users: members } } : fail('no_such_subteam');
      }
      case 'views.publish': {
        const user = String(params.user_id ?? '');
        if (!/^[UW][A-Z0-9]{2,}$/.test(user)) return fail('invalid_arguments');
        // The client sends `view` as a JSON string in its form body (a JSON body has it as an object).
        let view: unknown = params.view;
        try {
          if (typeof view === 'string') view = JSON.parse(view);
        } catch {
          return fail('invalid_arguments');
        }
        const problems = viewProblems(view);
        if (problems.length > 0)
          return { body: { ok: false, error: 'invalid_arguments', response_metadata: { messages: problems } } };
        const home = view as { type: string; blocks: Array<Record<string, unknown>> };
        fake.homeViews.set(user, home);
        return { body: { ok: true, view: { id: `V${calls.length}`, ...home } } };
      }
      case 'views.open':
        return { body: { ok: true, view: { id: `V${calls.length}` } } };
      default:
        return { body: { ok: true } };
    }
  }

  const held = new Set<ServerResponse>();
  const server: Server = createServer(async (req, res) => {
    const rawBytes = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    if (url.pathname.startsWith('/upload/')) {
      // The upload URL files.getUploadURLExternal handed out: takes the bytes once, answers in plain text.
      const file = files.get(url.pathname.slice('/upload/'.length));
      const bytes = await uploadedBytes(req.headers['content-type'], rawBytes);
      calls.push({
        method: 'upload',
        params: { path: url.pathname, bytes: bytes?.length ?? 0 },
        authorization: req.headers.authorization,
      });
      if (!file || file.bytes || !bytes) {
        res.writeHead(file ? 400 : 404, { 'content-type': 'text/plain' }).end('upload refused');
        return;
      }
      file.bytes = bytes;
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${bytes.length}`);
      return;
    }
    const raw = rawBytes.toString('utf8');
    if (url.pathname.startsWith('/response/')) {
      const body = JSON.parse(raw) as Record<string, unknown>;
      // A reply Slack refuses is not shown: an error status, which Bolt's respond() throws on.
      const refused = slackMessageRefusal(body);
      if (refused) {
        send(400, { ok: false, error: refused });
        return;
      }
      responses.push({ id: url.pathname.slice('/response/'.length), body });
      send(200, { ok: true });
      return;
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const params = parseParams(req.headers['content-type'], raw);
    calls.push({ method, params, authorization: req.headers.authorization });
    const failure = failures.get(method)?.shift();
    if (failure && 'status' in failure) {
      send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfter) });
      return;
    }
    if (failure) {
      send(200, { ok: false, error: failure.error });
      return;
    }
    const result = answer(method, params);
    if (late.delete(method)) {
      // Done, but the answer never reaches the client: it is held until the client hangs up.
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    send(200, result.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;

  const addChannel: FakeSlack['addChannel'] = (name, spec = {}) => {
    const channel: FakeChannel = {
      id: channelIdOf(name),
      name: name.replace(/^#/, ''),
      private: spec.private ?? false,
      archived: spec.archived ?? false,
      member: spec.member ?? false,
    };
    channels.set(channel.id, channel);
    return channel;
  };
  for (const spec of options.channels ?? []) {
    if (typeof spec === 'string') addChannel(spec);
    else addChannel(spec.name, spec);
  }
  const mustFind = (nameOrId: string) => {
    const c = lookup(nameOrId);
    if (!c) throw new Error(`the fake Slack has no channel ${nameOrId}`);
    return c;
  };

  const fake: FakeSlack = {
    socketUrl: undefined,
    userGroups: new Map(),
    homeViews: new Map(),
    files,
    apiUrl: `http://127.0.0.1:${port}/api/`,
    responseUrl: (id) => `http://127.0.0.1:${port}/response/${id}`,
    calls,
    responses,
    callsTo: (method) => calls.filter((c) => c.method === method),
    failNext(method, failure) {
      failures.set(method, [...(failures.get(method) ?? []), failure]);
    },
    answerLate(method) {
      late.add(method);
    },
    channelIdOf,
    addChannel,
    channel: lookup,
    invite(nameOrId) {
      mustFind(nameOrId).member = true;
    },
    postAsOtherApp(nameOrId, message) {
      const c = mustFind(nameOrId);
      const stored: FakeMessage = { ts: nextTs(), ...message };
      messages.set(c.id, [...(messages.get(c.id) ?? []), stored]);
      return stored.ts;
    },
    messagesIn: (nameOrId) => messages.get(mustFind(nameOrId).id) ?? [],
    async deliverEvent(target, event) {
      const item = event.item as { channel?: unknown } | undefined;
      const where = String(item?.channel ?? event.channel ?? '');
      if (!channels.get(where)?.member) return null;
      return postSigned({ ...target, contentType: 'application/json', body: eventBody(event) });
    },
    async waitFor(probe, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = probe();
        if (value !== undefined && value !== null && value !== false) return value;
        if (Date.now() > deadline) throw new Error('timed out waiting for the fake Slack to see the expected call');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
