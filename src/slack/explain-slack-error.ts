import { ErrorCode as SlackErrorCode, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { ErrorCode, errorMessage, isVigilError, VigilError } from '../errors.js';

export interface SlackCallContext {
  /** Web API method, e.g. `chat.postMessage`. */
  method: string;
  /** The channel as configured (`#team-payments` or an id), named in the message for the operator. */
  channel: string;
  now: Date;
}

/** `12:34:56 UTC`: what an operator compares with the clock in Slack. */
export function clockTime(at: Date): string {
  return `${at.toISOString().slice(11, 19)} UTC`;
}

/** The message an operator needs to fix it: shown in the logs and in `/vigil status`. */
export function channelAccessHint(channel: string): string {
  return `if ${channel} is a private channel, invite the bot there (\`/invite @Vigil\`); otherwise check the channel in vigil.yaml`;
}

/**
 * A failed Web API call as a coded error that says what happened to the message and what to do:
 * rate limited (nothing sent, and when it may be), refused by Slack (nothing sent), or no answer
 * (timeout, connection lost: for a post, Slack may have the message).
 */
export function explainSlackError(error: unknown, context: SlackCallContext): VigilError {
  if (isVigilError(error)) return error;
  const { method, channel } = context;
  const code = (error as { code?: unknown }).code;
  if (code === SlackErrorCode.RateLimitedError) {
    const until = new Date(context.now.getTime() + (error as WebAPIRateLimitedError).retryAfter * 1000);
    return new VigilError(
      ErrorCode.SlackRateLimited,
      `Slack rate-limited ${method} until ${clockTime(until)}; the card goes out on the first cycle after that`,
      { cause: error },
    );
  }
  if (code === SlackErrorCode.PlatformError) {
    const slackError = (error as WebAPIPlatformError).data.error;
    if (slackError === 'not_in_channel' || slackError === 'channel_not_found') {
      return new VigilError(
        ErrorCode.SlackChannelAccess,
        `Vigil cannot post to ${channel} (${slackError}): ${channelAccessHint(channel)}`,
        { cause: error },
      );
    }
    if (slackError === 'is_archived') {
      return new VigilError(
        ErrorCode.SlackChannelAccess,
        `${channel} is archived (${method}): unarchive it or route the team to another channel in vigil.yaml`,
        { cause: error },
      );
    }
    return new VigilError(ErrorCode.SlackPublish, `${method} to ${channel} failed: ${slackError}`, { cause: error });
  }
  if (method === 'chat.postMessage') {
    return new VigilError(
      ErrorCode.SlackPostUnknown,
      `post outcome unknown: ${method} to ${channel} got no answer (${errorMessage(error)}); ` +
        "Slack may have the card, so Vigil checks the channel's history before posting again",
      { cause: error },
    );
  }
  return new VigilError(ErrorCode.SlackPublish, `${method} for ${channel} failed: ${errorMessage(error)}`, {
    cause: error,
  });
}
