import type { SlackMessage } from '../slack/blocks/block-kit-limits.js';
import type { CardImage, CardPublisher } from '../slack/card-publisher.js';

export type RecordedCall =
  | { method: 'chat.postMessage'; channel: string; ts: string; message: SlackMessage }
  | { method: 'chat.update'; channel: string; ts: string; message: SlackMessage }
  | { method: 'chat.postMessage (thread)'; channel: string; thread_ts: string; text: string }
  | {
      method: 'files.uploadV2';
      channel: string;
      thread_ts: string;
      incident_id: string;
      filename: string;
      title: string;
      alt_text: string;
      initial_comment: string;
      bytes: number;
    };

export interface RecordingPublisher extends CardPublisher {
  calls: RecordedCall[];
  /** The latest version of every card, by message ts. */
  cards: Map<string, { channel: string; message: SlackMessage }>;
  /** Every image put in a thread (the incident charts), by incident id; the calls hold only their size. */
  images: Map<string, CardImage>;
}

/**
 * A publisher that keeps what would have been sent to Slack (demo, replay). `forward`, when given,
 * also sends it for real.
 */
export function createRecordingPublisher(
  onCall: (call: RecordedCall) => void = () => {},
  forward?: CardPublisher,
): RecordingPublisher {
  const calls: RecordedCall[] = [];
  const cards = new Map<string, { channel: string; message: SlackMessage }>();
  const incidentOf = new Map<string, string>();
  const images = new Map<string, CardImage>();
  let seq = 0;
  const record = (call: RecordedCall) => {
    calls.push(call);
    onCall(call);
  };
  return {
    calls,
    cards,
    images,
    async post(channel, message, incidentId) {
      const where = forward
        ? await forward.post(channel, message, incidentId)
        : { channel, ts: `1700000000.${String(++seq).padStart(6, '0')}` };
      cards.set(where.ts, { channel: where.channel, message });
      incidentOf.set(where.ts, incidentId);
      record({ method: 'chat.postMessage', channel: where.channel, ts: where.ts, message });
      return where;
    },
    async findCard(channel, incidentId, since) {
      if (forward) return forward.findCard(channel, incidentId, since);
      // Nothing here goes unanswered, but a card it holds is found as Slack would find it.
      const ts = [...incidentOf].find(([, id]) => id === incidentId)?.[0];
      const card = ts ? cards.get(ts) : undefined;
      return ts && card ? { channel: card.channel, ts } : null;
    },
    async update(channel, ts, message) {
      await forward?.update(channel, ts, message);
      cards.set(ts, { channel, message });
      record({ method: 'chat.update', channel, ts, message });
    },
    async reply(channel, threadTs, text) {
      await forward?.reply(channel, threadTs, text);
      record({ method: 'chat.postMessage (thread)', channel, thread_ts: threadTs, text });
    },
    async attachImage(channel, threadTs, image) {
      await forward?.attachImage?.(channel, threadTs, image);
      images.set(image.incidentId, image);
      record({
        method: 'files.uploadV2',
        channel,
        thread_ts: threadTs,
        incident_id: image.incidentId,
        filename: image.filename,
        title: image.title,
        alt_text: image.altText,
        initial_comment: image.comment,
        bytes: image.png.length,
      });
    },
  };
}
