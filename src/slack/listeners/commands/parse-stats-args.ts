import { z } from 'zod';

/** The longest window `/vigil stats` reads: a quarter's pages are still a few thousand narrow rows. */
export const MAX_STATS_DAYS = 90;

export const StatsArgsSchema = z.strictObject({
  days: z.coerce
    .number({ error: '`--days` takes a number of days' })
    .int('`--days` takes a whole number of days')
    .min(1, `\`--days\` takes 1 to ${MAX_STATS_DAYS} days`)
    .max(MAX_STATS_DAYS, `\`--days\` takes 1 to ${MAX_STATS_DAYS} days`)
    .default(7),
  team: z.string().min(1).max(80, 'that team name is too long').optional(),
});
export type StatsArgs = z.infer<typeof StatsArgsSchema>;

export type ParsedStatsArgs = { ok: true; args: StatsArgs } | { ok: false; problem: string };

const FLAGS = new Set(['days', 'team']);

/**
 * `[--days N] [--team T]` (also `--days=N`): each option at most once, each with its value, then
 * checked by StatsArgsSchema. A problem comes back in words for the usage reply.
 */
export function parseStatsArgs(tokens: readonly string[]): ParsedStatsArgs {
  const raw: Record<string, string> = {};
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as string;
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(token);
    const flag = match?.[1];
    if (!match || !flag || !FLAGS.has(flag)) {
      return { ok: false, problem: `\`stats\` does not take \`${token.slice(0, 40)}\`` };
    }
    if (flag in raw) return { ok: false, problem: `\`--${flag}\` is given twice` };
    const value = match[2] ?? tokens[i + 1];
    if (match[2] === undefined) i += 1;
    if (value === undefined || value === '' || value.startsWith('--')) {
      return { ok: false, problem: `\`--${flag}\` needs a value` };
    }
    raw[flag] = value;
  }
  const parsed = StatsArgsSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problem: parsed.error.issues.map((issue) => issue.message).join('; ') };
  return { ok: true, args: parsed.data };
}
