import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';

/** Bolt refuses requests signed more than 5 minutes ago; the same window applies ahead of now. */
const MAX_SKEW_SECONDS = 5 * 60;

/**
 * Wraps Bolt HTTPReceiver's request listener so that a request whose `x-slack-request-timestamp`
 * lies more than 5 minutes in the future gets the 401 Bolt gives a stale one, before its body is
 * read: Bolt checks only the past side, and a signed request dated ahead could be replayed until
 * then (https://api.slack.com/authentication/verifying-requests-from-slack).
 */
export function refuseFutureTimestamps(
  listener: RequestListener,
  logger: Logger,
  nowMs: () => number = Date.now,
): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers['x-slack-request-timestamp'];
    const timestamp = Number(header);
    if (typeof header === 'string' && timestamp > Math.floor(nowMs() / 1000) + MAX_SKEW_SECONDS) {
      logger.warn({ timestamp }, 'Slack request refused: its timestamp is more than 5 minutes in the future');
      // Closing the connection: the body is left unread.
      res.writeHead(401, { connection: 'close' }).end();
      return;
    }
    listener(req, res);
  };
}
