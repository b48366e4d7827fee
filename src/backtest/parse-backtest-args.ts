import { z } from 'zod';

/** The longest history a backtest replays: the same bound as recalibration's history_days. */
export const MAX_BACKTEST_DAYS = 35;
export const DEFAULT_BACKTEST_DAYS = 7;

export const BACKTEST_USAGE = '/vigil backtest <signal|service> [--days N]';

export const BacktestArgsSchema = z.object({
  /** A configured signal or service name (which one is resolved against the config). */
  target: z
    .string()
    .min(1, 'name a signal or a service')
    .max(100, 'a signal or service name is at most 100 characters')
    .regex(/^[A-Za-z0-9_.:-]+$/, 'a signal or service name is letters, digits and _ . : -'),
  days: z
    .number({ error: `--days takes a number of days, up to ${MAX_BACKTEST_DAYS}` })
    .positive(`--days takes a number of days above 0, up to ${MAX_BACKTEST_DAYS}`)
    .max(MAX_BACKTEST_DAYS, `--days is at most ${MAX_BACKTEST_DAYS} (the history recalibration may read)`)
    .default(DEFAULT_BACKTEST_DAYS),
});
export type BacktestArgs = z.infer<typeof BacktestArgsSchema>;

export type ParsedBacktestArgs = { ok: true; args: BacktestArgs } | { ok: false; problem: string };

/**
 * `<signal|service> [--days N]` from the words after `backtest` (`--days=N` too). Anything else,
 * an unknown flag or a second name, is a problem stated in one line.
 */
export function parseBacktestArgs(words: readonly string[]): ParsedBacktestArgs {
  const positionals: string[] = [];
  let days: unknown;
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] as string;
    if (word === '--days' || word.startsWith('--days=')) {
      if (days !== undefined) return { ok: false, problem: '`--days` is given twice' };
      const value = word === '--days' ? words[++i] : word.slice('--days='.length);
      if (value === undefined || value === '') return { ok: false, problem: '`--days` needs a number of days' };
      days = value.trim() === '' ? Number.NaN : Number(value);
    } else if (word.startsWith('-')) {
      return { ok: false, problem: `\`backtest\` has no option \`${word.slice(0, 40)}\`` };
    } else positionals.push(word);
  }
  if (positionals.length === 0) return { ok: false, problem: '`backtest` needs a signal or a service' };
  if (positionals.length > 1)
    return { ok: false, problem: `\`backtest\` takes one signal or service, got ${positionals.length}` };
  const parsed = BacktestArgsSchema.safeParse({ target: positionals[0], ...(days === undefined ? {} : { days }) });
  if (!parsed.success) return { ok: false, problem: parsed.error.issues.map((i) => i.message).join('; ') };
  return { ok: true, args: parsed.data };
}
