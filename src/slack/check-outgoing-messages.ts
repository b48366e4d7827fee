import type { FetchFunction } from '@slack/web-api';
import { appendAll } from '../collections/append-all.js';
import type { Logger } from '../logger.js';
import { fitMessage } from './blocks/fit-message.js';

/** Web API methods that carry a message (or a view) Slack checks against Block Kit's limits. */
const MESSAGE_METHODS = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'chat.scheduleMessage']);
const VIEW_METHODS = new Set(['views.publish', 'views.open', 'views.update', 'views.push']);

type Init = Parameters<FetchFunction>[1];

function methodOf(url: string | URL): string | null {
  return /\/api\/([A-Za-z0-9_.]+)$/.exec(new URL(String(url)).pathname)?.[1] ?? null;
}

function contentType(init: NonNullable<Init>): string {
  const headers = init.headers as Record<string, string> | Headers | undefined;
  if (!headers) return '';
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get('content-type') ?? '';
  const found = Object.entries(headers as Record<string, string>).find(([k]) => k.toLowerCase() === 'content-type');
  return found?.[1] ?? '';
}

/** A form field holding JSON (the Web API client sends `blocks` and `view` that way). */
function parseJsonField(value: string | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/**
 * The one check every outgoing message passes, whatever sent it (a card, a thread reply, a command's
 * `respond`, a remediation message, a DM, the Home tab): the `fetch` every Web API client and Bolt's
 * `respond` are built with. A message over Slack's limits is fitted (see fitMessage) and what was cut
 * is logged, instead of Slack refusing it and the person never seeing it.
 */
export function checkOutgoingMessages(next: FetchFunction, logger: Logger): FetchFunction {
  const log = logger.child({ name: 'slack-limits' });
  return (url, init) => {
    if (!init || typeof init.body !== 'string') return next(url, init);
    const method = methodOf(url);
    const type = contentType(init);
    // response_url (not /api/): a JSON message.
    if (method === null && type.includes('application/json')) {
      const payload = parseJsonField(init.body);
      if (typeof payload !== 'object' || payload === null) return next(url, init);
      const fitted = fitMessage(payload as { text?: unknown; blocks?: unknown });
      if (fitted.changes.length === 0) return next(url, init);
      log.warn({ method: 'response_url', changes: fitted.changes }, 'reply fitted to Slack limits');
      return next(url, { ...init, body: JSON.stringify(fitted.message) });
    }
    if (method === null || !type.includes('application/x-www-form-urlencoded')) return next(url, init);
    const isMessage = MESSAGE_METHODS.has(method);
    if (!isMessage && !VIEW_METHODS.has(method)) return next(url, init);
    const form = new URLSearchParams(init.body);
    const changes: string[] = [];
    if (isMessage) {
      const blocks = parseJsonField(form.get('blocks'));
      const text = form.get('text');
      const fitted = fitMessage({ ...(text !== null ? { text } : {}), ...(blocks !== undefined ? { blocks } : {}) });
      if (fitted.changes.length === 0) return next(url, init);
      appendAll(changes, fitted.changes);
      if (typeof fitted.message.text === 'string') form.set('text', fitted.message.text);
      if (fitted.message.blocks !== undefined) form.set('blocks', JSON.stringify(fitted.message.blocks));
    } else {
      const view = parseJsonField(form.get('view'));
      if (typeof view !== 'object' || view === null) return next(url, init);
      const fitted = fitMessage(view as { blocks?: unknown }, 100);
      if (fitted.changes.length === 0) return next(url, init);
      appendAll(changes, fitted.changes);
      form.set('view', JSON.stringify(fitted.message));
    }
    log.warn({ method, changes }, 'message fitted to Slack limits');
    return next(url, { ...init, body: form.toString() });
  };
}
