import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { type OpsEvent, OpsEventSchema } from '../contracts/index.js';

// One event or a batch; parsed by shape so that an error names the field (`1.namespace`).
const BatchSchema = z.array(OpsEventSchema).min(1).max(500);

export interface IntakeResponse {
  status: number;
  body: Record<string, unknown>;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  // Constant time, so the token cannot be guessed byte by byte from response times.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The refusal of POST /events without the bearer token (VIGIL_EVENTS_TOKEN), or null when the
 * token is right. Checked on the headers alone: a caller without the token gets no body read.
 */
export function refuseUnauthorizedIntake(authorization: string | undefined, token: string): IntakeResponse | null {
  if (tokenMatches(authorization, token)) return null;
  return { status: 401, body: { error: 'vigil_intake_unauthorized', message: 'a valid bearer token is required' } };
}

/**
 * POST /events, once authorized: deploy and maintenance events from CI/CD or a change calendar. A
 * body is one event or an array of them, all valid or none stored. Duplicates (a retried webhook)
 * are accepted and stored once.
 */
export function handleEventsIntake(body: string, record: (event: OpsEvent) => boolean): IntakeResponse {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { status: 400, body: { error: 'vigil_intake_invalid', message: 'the body is not JSON' } };
  }
  const parsed = Array.isArray(json) ? BatchSchema.safeParse(json) : OpsEventSchema.safeParse(json);
  if (!parsed.success) {
    return {
      status: 400,
      body: {
        error: 'vigil_intake_invalid',
        message: 'nothing was stored',
        issues: parsed.error.issues.slice(0, 20).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
      },
    };
  }
  const events = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  for (const e of events) {
    if (e.type === 'maintenance' && Date.parse(e.ends_at) <= Date.parse(e.starts_at)) {
      return { status: 400, body: { error: 'vigil_intake_invalid', message: 'ends_at must be after starts_at' } };
    }
  }
  let stored = 0;
  for (const e of events) if (record(e)) stored += 1;
  return { status: 202, body: { accepted: events.length, stored, duplicates: events.length - stored } };
}
