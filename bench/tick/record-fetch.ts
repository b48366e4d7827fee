/**
 * A `fetch` for StartOptions.fetch that records every request Vigil makes to Prometheus (URL,
 * method, headers, body), so the bench can send the same ones with a plain client without knowing
 * how Vigil builds them. Requests issued while another of the same wave is still waiting for its
 * answer's headers were in flight together (e.g. the signals of a cycle): they form one wave and
 * are replayed concurrently; a request issued after every earlier one was answered starts a new one.
 */
import type { RecordedRequest } from './slack-side-protocol.js';

export interface RecordingFetch {
  fetch: typeof fetch;
  /** The requests recorded since the last call, oldest first. */
  take(): RecordedRequest[];
}

function bodyText(body: RequestInit['body']): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  throw new Error('record-fetch: a request body that is neither a string nor URLSearchParams cannot be replayed');
}

/** `sink` also gets each request as it is recorded (the detection thread's preload passes them on). */
export function recordFetch(inner: typeof fetch = fetch, sink?: (request: RecordedRequest) => void): RecordingFetch {
  let recorded: RecordedRequest[] = [];
  let wave = 0;
  let waiting = 0;
  const recordingFetch: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const headers: Record<string, string> = {};
    new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).forEach((value, key) => {
      headers[key] = value;
    });
    if (waiting === 0) wave += 1;
    const request: RecordedRequest = {
      url,
      method: init?.method ?? (input instanceof Request ? input.method : 'GET'),
      headers,
      body: bodyText(init?.body),
      wave,
    };
    recorded.push(request);
    sink?.(request);
    waiting += 1;
    try {
      return await inner(input, init);
    } finally {
      waiting -= 1;
    }
  };
  return {
    fetch: recordingFetch,
    take() {
      const taken = recorded;
      recorded = [];
      return taken;
    },
  };
}
