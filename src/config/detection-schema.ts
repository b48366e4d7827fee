/**
 * The detectors' settings (`detection` in the configuration file) and a challenger's (`detection.shadow`),
 * apart from the rest of the configuration: the detection thread resolves a challenger's settings
 * with these, without loading every other part of the configuration's schema (~2 MB of its heap).
 */

import { z } from 'zod';
import type { CrossReferenceIssue } from './cross-reference-issue.js';

const positiveInt = z.number().int().positive();

/** The detectors' settings: the champion's under `detection`, a challenger's overrides of them under `detection.shadow`. */
const DetectionSettingsSchema = z
  .object({
    /** Points in the rolling baseline window (z-score, MAD, level-shift reference). */
    window_points: positiveInt.min(5).max(1440).default(120),
    /** Warm-up: a series is not scored before it has this many baseline points. */
    min_points: positiveInt.min(3).default(30),
    /**
     * The rolling z-score's sigma counts a series' bursts in (unlike the MAD's), yet at 3.5 it opened
     * 35 of the 109 false alarms on NAB's 34 files (14 true): the MAD, level-shift and seasonal tests
     * see the same faults. 5 was CV's choice over 3.5 in 5 of 7 folds (left-out mean 75.53 → 76.06).
     */
    zscore_threshold: z.number().positive().default(5),
    /**
     * The robust test's sigma (from the MAD) ignores a series' tails, so on a bursty one (tweets,
     * requests) 4 of them are everyday: 6 was CV's choice over 4 in 4 of 7 folds (NAB).
     */
    mad_threshold: z.number().positive().default(6),
    /** Two-window test: |shift| in the detector's sigma units that counts as a level shift. */
    level_shift_threshold: z.number().positive().default(4),
    /** Points in the recent window of the level-shift test. */
    level_shift_recent_points: positiveInt.min(2).default(5),
    /** Seasonal baseline (same hour of day, then of week) on top of the rolling detectors. */
    seasonal: z.boolean().default(true),
    seasonal_threshold: z.number().positive().default(4),
    /**
     * The scale every detector judges values on: `sqrt` (Anscombe's 2·√(x + 3/8), variance-stabilising
     * for counts and other magnitudes whose noise grows with their level) or `linear` (as they are).
     * SLO signals are always linear. See src/detection/ensemble/value-scale.ts.
     */
    value_scale: z.enum(['sqrt', 'linear']).default('sqrt'),
    /**
     * On the square-root scale, the least sigma the rolling, level-shift and seasonal tests measure a
     * deviation in while a series' values are all whole counts: a count's own (Poisson) noise is 1
     * there, so the everyday bursts of a series of small counts do not score like faults. 0 = none.
     */
    count_noise_floor: z.number().nonnegative().default(0.75),
    /** Rarity a point must reach in its own series' history to be anomalous (0.999 = 1 in 1000). */
    min_score: z.number().min(0).max(1).default(0.999),
    /**
     * Record detector: a value beyond the series' whole history by more than this many typical
     * point-to-point changes.
     */
    record_margin: z.number().positive().default(1),
    /**
     * Quiet points that end a series' episode: an anomalous point sooner after the last one extends
     * the open anomaly instead of opening another (see pageScore).
     */
    episode_gap_points: positiveInt.default(30),
    /**
     * History (points) of a member's statistic before that rarity gate applies; before it, the
     * statistic past its threshold is enough. Members that start late (the seasonal baseline and the
     * slice detectors, after a day) are untrusted that long on a series already judged on rarity, and
     * their immature bands fired freely there: 100 was CV's choice over 200 in 4 of 7 folds (NAB).
     */
    calibration_min_points: positiveInt.default(100),
    /**
     * Points after which old behaviour weighs half in the rarity calibration. At most a million: its
     * histograms are single precision (tail-calibrator.ts), where a point must add more than a
     * millionth of what the history holds (the weight of ~1.44 half-lives of points) to be counted to ~10%.
     */
    calibration_half_life_points: positiveInt.max(1_000_000).default(10_080),
    /** On a cold start, only points this recent may raise anomalies; older ones only warm the baseline. */
    fresh_seconds: positiveInt.default(300),
    /** A series silent this long is reported absent, once. */
    absent_after_seconds: positiveInt.default(600),
    /**
     * A series silent this long is forgotten: its state leaves memory and the store, and it starts
     * cold if it comes back. Series come and go with pods (each pod's series have its name), so
     * without this a platform that rolls its pods daily held one more day's series each day.
     */
    forget_after_seconds: positiveInt.default(86_400),
  })
  .describe("the detectors' settings");
const minPointsWithinWindow = (d: { min_points: number; window_points: number }) => d.min_points <= d.window_points;
const minPointsIssue = { message: 'min_points must not exceed window_points', path: ['min_points'] };
/** A challenger's settings once its overrides are applied to the champion's. */
const ChallengerSettingsSchema = DetectionSettingsSchema.refine(minPointsWithinWindow, minPointsIssue);

/**
 * Shadow (challenger) settings that may differ from the champion's: what the detectors do with the
 * stream, not the stream itself (fresh_seconds and absent_after_seconds stay the champion's).
 */
export const SHADOW_OVERRIDABLE = [
  'window_points',
  'min_points',
  'zscore_threshold',
  'mad_threshold',
  'level_shift_threshold',
  'level_shift_recent_points',
  'seasonal',
  'seasonal_threshold',
  'value_scale',
  'count_noise_floor',
  'min_score',
  'record_margin',
  'episode_gap_points',
  'calibration_min_points',
  'calibration_half_life_points',
] as const;
const configName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'letters, digits, ".", "_" or "-" (1-63)');

export const DetectionConfigSchema = DetectionSettingsSchema.extend({
  /** The champion's name (default "default"): set it to a challenger's name to promote it (see src/shadow/). */
  name: configName.optional(),
  /**
   * A challenger: `name` and the settings it overrides. It scores the same stream every tick and
   * records what it would have opened, but never pages (see src/shadow/).
   */
  shadow: z.object({ name: configName }).catchall(z.unknown()).optional(),
})
  .refine(minPointsWithinWindow, minPointsIssue)
  .refine((d) => d.forget_after_seconds > d.absent_after_seconds, {
    message:
      'forget_after_seconds must exceed absent_after_seconds (a series is reported absent before it is forgotten)',
    path: ['forget_after_seconds'],
  })
  .superRefine((d, ctx) => {
    for (const issue of shadowIssues(d)) ctx.addIssue({ code: 'custom', ...issue });
  });
export type DetectionConfig = z.infer<typeof DetectionConfigSchema>;

/** The champion's name: `detection.name`, "default" when unset. */
export function championName(detection: Pick<DetectionConfig, 'name'>): string {
  return detection.name ?? 'default';
}

/** The challenger's full settings: the champion's with its overrides; null without a challenger. */
export function challengerDetection(detection: DetectionConfig): DetectionConfig | null {
  if (!detection.shadow) return null;
  const { name: _name, shadow: _shadow, ...champion } = detection;
  const { name: _challenger, ...overrides } = detection.shadow;
  return ChallengerSettingsSchema.parse({ ...champion, ...overrides });
}

/** Every bad key of `detection.shadow`, with its path: unknown, not overridable, or invalid once merged. */
function shadowIssues(detection: DetectionConfig): CrossReferenceIssue[] {
  const shadow = detection.shadow;
  if (!shadow) return [];
  const issues: CrossReferenceIssue[] = [];
  const allowed = new Set<string>(SHADOW_OVERRIDABLE);
  for (const key of Object.keys(shadow)) {
    if (key !== 'name' && !allowed.has(key))
      issues.push({
        path: ['shadow', key],
        message: `"${key}" cannot be overridden by a challenger; use one of ${SHADOW_OVERRIDABLE.join(', ')}`,
      });
  }
  if (shadow.name === championName(detection))
    issues.push({
      path: ['shadow', 'name'],
      message: `the challenger needs a name other than the champion's ("${shadow.name}")`,
    });
  const { name: _name, shadow: _shadow, ...champion } = detection;
  const overrides = Object.fromEntries(Object.entries(shadow).filter(([key]) => allowed.has(key)));
  const merged = ChallengerSettingsSchema.safeParse({ ...champion, ...overrides });
  if (!merged.success)
    for (const i of merged.error.issues)
      issues.push({
        path: ['shadow', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
        message: i.message,
      });
  return issues;
}
