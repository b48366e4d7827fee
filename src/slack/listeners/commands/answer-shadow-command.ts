import { z } from 'zod';
import {
  CorrelationConfigSchema,
  championName,
  DetectionConfigSchema,
  type VigilConfig,
} from '../../../config/config-schema.js';
import { compareShadow } from '../../../shadow/compare-shadow.js';
import type { ShadowRepo } from '../../../storage/shadow-repo.js';
import type { SlackMessage } from '../../blocks/block-kit-limits.js';
import { buildUsageReply } from '../../blocks/build-command-replies.js';
import { buildShadowReply } from '../../blocks/build-shadow-reply.js';

/** Who is champion and challenger now, and the correlation windows the comparison uses. */
export interface ShadowSetup {
  champion: string;
  challenger: string | null;
  /** correlation.window_seconds: pages this close (and sharing a service) tell one story. */
  windowSeconds: number;
  /** correlation.max_incident_seconds: how long before the window a page may start and still overlap. */
  maxIncidentSeconds: number;
}

export function shadowSetupOf(config: Pick<VigilConfig, 'detection' | 'correlation'>): ShadowSetup {
  return {
    champion: championName(config.detection),
    challenger: config.detection.shadow?.name ?? null,
    windowSeconds: config.correlation.window_seconds,
    maxIncidentSeconds: config.correlation.max_incident_seconds,
  };
}

/** A Vigil started without saying (listener tests): the default champion, no challenger. */
export const DEFAULT_SHADOW_SETUP = shadowSetupOf({
  detection: DetectionConfigSchema.parse({}),
  correlation: CorrelationConfigSchema.parse({}),
});

export const SHADOW_USAGE = '`shadow` takes `--days N` (1–90, default 7)';
/** Pages read per side: a week of pages is tens to hundreds; this bounds a reply's reads. */
export const SHADOW_PAGES_READ = 5000;
const CHANGES_SHOWN = 5;

const ArgsSchema = z.union([
  z.tuple([]).transform(() => ({ days: 7 })),
  z
    .tuple([z.literal('--days'), z.string().regex(/^\d{1,3}$/)])
    .transform(([, n]) => ({ days: Number(n) }))
    .pipe(z.object({ days: z.number().int().min(1).max(90) })),
]);

/**
 * `/vigil shadow [--days N]`: champion against challenger over the window, from indexed reads of
 * both sides' pages opened in it (and a margin before, for stories that started earlier).
 */
export function answerShadowCommand(
  args: readonly string[],
  repo: ShadowRepo,
  setup: ShadowSetup,
  now: Date,
): SlackMessage {
  const normalised = args.flatMap((a) => (a.startsWith('--days=') ? ['--days', a.slice(7)] : [a]));
  const parsed = ArgsSchema.safeParse(normalised);
  if (!parsed.success) return buildUsageReply(SHADOW_USAGE);
  const { days } = parsed.data;
  const changes = repo.championChanges(CHANGES_SHOWN);
  const base = { champion: setup.champion, challenger: setup.challenger, days, changes };
  if (!setup.challenger) return buildShadowReply({ ...base, comparison: null, truncatedAt: null });
  const toMs = now.getTime();
  const fromMs = toMs - days * 86_400_000;
  const marginMs = (setup.maxIncidentSeconds + setup.windowSeconds) * 1000;
  const from = new Date(fromMs - marginMs).toISOString();
  const to = new Date(toMs).toISOString();
  const champion = repo.championPages(from, to, SHADOW_PAGES_READ);
  const challenger = repo.challengerPages(setup.challenger, from, to, SHADOW_PAGES_READ);
  const comparison = compareShadow({ champion, challenger, fromMs, toMs, windowMs: setup.windowSeconds * 1000 });
  const truncated = champion.length >= SHADOW_PAGES_READ || challenger.length >= SHADOW_PAGES_READ;
  return buildShadowReply({ ...base, comparison, truncatedAt: truncated ? SHADOW_PAGES_READ : null });
}
