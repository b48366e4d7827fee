import { z } from 'zod';
import { MAX_SILENCE_MS } from './silence.js';

export const SILENCE_USAGE =
  '/vigil silence <service|namespace/service[/metric]> <duration: 30m, 2h, 1d; ≤ 7d> [reason]';
export const MAINTENANCE_USAGE =
  '/vigil maintenance <service> <start> <end> [reason] (times: ISO 8601, or HH:MM UTC today, or tomorrow HH:MM; ≤ 7 days)';

/** A target as people write it; namespace resolved from the configured services when not given. */
export interface SilenceTargetArgs {
  service: string;
  namespace: string | null;
  metric_name: string | null;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Prometheus label values can hold anything; these are what service and metric names use. */
const NAME = /^[A-Za-z0-9_.:-]{1,100}$/;
const TargetSchema = z
  .string()
  .max(300)
  .transform((s) => s.split('/'))
  .pipe(z.array(z.string().regex(NAME)).min(1).max(3));

const DurationSchema = z
  .string()
  .regex(/^\d{1,5}[mhd]$/, 'a duration is a number and m, h or d (30m, 2h, 1d)')
  .transform((s) => Number(s.slice(0, -1)) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[s.slice(-1) as 'm' | 'h' | 'd'])
  .pipe(z.number().min(60_000, 'at least 1m').max(MAX_SILENCE_MS, 'at most 7d'));

const ReasonSchema = z.string().max(200, 'a reason has at most 200 characters');

/**
 * `service`, `namespace/service` or `namespace/service/metric`. Known services are the configured
 * ones: a name Vigil does not know is refused (a typo would otherwise silence nothing, quietly);
 * without configured services any name is taken, in any namespace.
 */
export function parseSilenceTarget(
  text: string,
  services: ReadonlyArray<{ name: string; namespace: string }>,
  allowMetric: boolean,
): Parsed<SilenceTargetArgs> {
  const parsed = TargetSchema.safeParse(text);
  if (!parsed.success) return { ok: false, problem: `\`${text.slice(0, 80)}\` is not a service or series name` };
  const parts = parsed.data;
  if (parts.length === 3 && !allowMetric) return { ok: false, problem: 'maintenance covers a service, not one series' };
  const [a = '', b, c] = parts;
  const service = parts.length === 1 ? a : (b ?? '');
  const namespace = parts.length === 1 ? null : a;
  if (services.length > 0) {
    const known = services.filter((s) => s.name === service && (namespace === null || s.namespace === namespace));
    if (known.length === 0) return { ok: false, problem: `Vigil knows no service \`${text.slice(0, 80)}\`` };
    // One namespace: said on the silence, so it reads as what it covers.
    const only = known.length === 1 ? (known[0]?.namespace ?? null) : null;
    return { ok: true, value: { service, namespace: namespace ?? only, metric_name: c ?? null } };
  }
  return { ok: true, value: { service, namespace, metric_name: c ?? null } };
}

export function parseDuration(text: string): Parsed<number> {
  const parsed = DurationSchema.safeParse(text);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, problem: `\`${text.slice(0, 20)}\`: ${parsed.error.issues[0]?.message ?? 'not a duration'}` };
}

export function parseReason(words: readonly string[]): Parsed<string> {
  const parsed = ReasonSchema.safeParse(words.join(' '));
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, problem: 'a reason has at most 200 characters' };
}

const IsoSchema = z.string().datetime({ offset: true });
const HhmmSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);

/**
 * A time from the front of `words`: an ISO 8601 instant, `HH:MM` (UTC, today), or `today HH:MM` /
 * `tomorrow HH:MM`. Returns the instant and how many words it took.
 */
export function parseTimeWords(words: readonly string[], now: Date): Parsed<{ ms: number; used: number }> {
  const [first = '', second = ''] = words;
  if (IsoSchema.safeParse(first).success) return { ok: true, value: { ms: Date.parse(first), used: 1 } };
  const day = first.toLowerCase();
  const dayOffset = day === 'tomorrow' ? 1 : day === 'today' ? 0 : null;
  const hhmm = dayOffset === null ? first : second;
  if (!HhmmSchema.safeParse(hhmm).success)
    return { ok: false, problem: `\`${[first, second].join(' ').trim().slice(0, 40)}\` is not a time` };
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return {
    ok: true,
    value: { ms: midnight + (dayOffset ?? 0) * 86_400_000 + (h * 60 + m) * 60_000, used: dayOffset === null ? 1 : 2 },
  };
}

/** How far ahead maintenance may be declared: a change calendar belongs in config or POST /events. */
const MAX_LEAD_MS = 30 * 86_400_000;

export function parseMaintenanceWindow(
  words: readonly string[],
  now: Date,
): Parsed<{ startMs: number; endMs: number; rest: string[] }> {
  const start = parseTimeWords(words, now);
  if (!start.ok) return start;
  const end = parseTimeWords(words.slice(start.value.used), now);
  if (!end.ok) return end;
  const startMs = start.value.ms;
  const endMs = end.value.ms;
  if (endMs <= startMs) return { ok: false, problem: 'the end must be after the start' };
  if (endMs - startMs > MAX_SILENCE_MS) return { ok: false, problem: 'maintenance lasts at most 7 days' };
  if (endMs <= now.getTime()) return { ok: false, problem: 'that window is already over' };
  if (startMs - now.getTime() > MAX_LEAD_MS) return { ok: false, problem: 'the start is more than 30 days ahead' };
  return { ok: true, value: { startMs, endMs, rest: words.slice(start.value.used + end.value.used) } };
}
