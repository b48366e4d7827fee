/**
 * The detection settings `bench:nab -- --cv` chooses between. Each candidate is a partial override
 * of the production defaults, so it follows them when they change; edit the list below to try other
 * settings. Every candidate costs one full pass over the corpus, so keep the list short.
 */
import { type DetectionConfig, DetectionConfigSchema } from '../config/config-schema.js';

export interface NabCandidate {
  /** Short and unique: the CV tables name candidates by it. */
  name: string;
  overrides: Partial<DetectionConfig>;
}

const DEFAULTS = DetectionConfigSchema.parse({});

/**
 * The four test thresholds scaled together: one knob for how far from normal a point must be,
 * which keeps the tests' relative strictness as the defaults set it.
 */
function scaledThresholds(factor: number): Partial<DetectionConfig> {
  return {
    zscore_threshold: DEFAULTS.zscore_threshold * factor,
    mad_threshold: DEFAULTS.mad_threshold * factor,
    level_shift_threshold: DEFAULTS.level_shift_threshold * factor,
    seasonal_threshold: DEFAULTS.seasonal_threshold * factor,
  };
}

/** Candidate 0 is the defaults: the fallback when nothing else wins, and the first to win a tie. */
export const NAB_CANDIDATES: readonly NabCandidate[] = [
  { name: 'defaults', overrides: {} },
  // Rarity a point needs in its own history: one in 10 000 instead of one in 1 000, and one in 200.
  { name: 'rarer', overrides: { min_score: 0.9999 } },
  { name: 'less-rare', overrides: { min_score: 0.995 } },
  // (With episode_gap_points 30, CV picks tests-x0.75 in 5 of 7 folds, +0.1 on all files; but with it
  // bench:scenarios -- ../shared/scenarios-hard finds 16 of 17 incidents with 23 pages, precision
  // 70 %, starting service 81 %, against 17/17, 17 pages, 94 %: not the default.)
  { name: 'tests-x0.75', overrides: scaledThresholds(0.75) },
  // (tests-x1.5 scored 62-63 on all files against the defaults' 72-73 in every pass: dropped, as the
  // list holds a dozen.)
  // A 4x longer baseline: slower to accept a new level, steadier on noisy series. (Since issue 13's
  // detectors CV picks it in 4 of 7 folds, +1.6 points on all files; not the default: it changes
  // every rolling window in production, and bench:scenarios has not been run with it.)
  { name: 'window-480', overrides: { window_points: DEFAULTS.window_points * 4 } },
  // How long a series must stay quiet before its next anomaly is a new one. Longer gaps score better
  // on NAB (96 points: +1.3), but at the tick's 1-minute step an episode must not outlive the 30
  // minutes after which a quiet incident resolves, or its next point would extend nothing and open
  // nothing: candidates stay within 30 points. (CV picked 30 over the earlier default 24 in 4 of 7
  // folds after issue 13's count floor, with bench:scenarios unchanged on every column: the default
  // since. Before the square-root scale, 30 cost a starting service in bench:scenarios.)
  { name: 'episode-gap-1', overrides: { episode_gap_points: 1 } },
  // (episode-gap-24, the earlier default, scored exactly as the defaults once calibration_min_points
  // was 100 (72.59 on all files): dropped, as the list holds a dozen.)
  // How far past its record range a value must go, in typical point-to-point changes.
  // (CV picked 0.5 over the default 1 in 5 of 7 folds before issue 13's detectors, in 3 of 7 since,
  // +1.6 points on all files; but with it a chance record of a caller's traffic two minutes before
  // an outage makes bench:scenarios name the wrong starting service in one incident of 19. With the
  // z-score at 5 CV picks it in 5 of 7 folds again, for +0.01 on all files: one AWS point, noise.)
  { name: 'record-margin-0.5', overrides: { record_margin: 0.5 } },
  // (With calibration_min_points 100 and mad_threshold 6, CV picks 2 in 4 of 7 folds: +0.08 on all
  // files, left-out mean +0.06, one AWS false alarm fewer, bench:scenarios unchanged on both folders.
  // Not taken: that is within noise, and earlier passes picked 0.5 the same way. With the z-score at
  // 5 it misses an AWS window, 71.89 on all files against 73.25: in no fold.)
  { name: 'record-margin-2', overrides: { record_margin: 2 } },
  // The values as they are instead of on the square-root scale (value-scale.ts; the default since
  // issue 13's third pass).
  { name: 'linear-scale', overrides: { value_scale: 'linear' } },
  // No least sigma for series of whole counts (config-schema.ts's count_noise_floor). Its default 0.75
  // was CV's choice in 6 of 7 folds among 0, 0.5, 0.75 and 1 (1, a count's full Poisson sigma, in none).
  { name: 'no-count-floor', overrides: { count_noise_floor: 0 } },
  // How long a member's statistic past its threshold fires without the rarity gate (its calibration
  // still young): the default 100 was CV's choice over the earlier 200 in 4 of 7 folds, with
  // bench:scenarios unchanged on both folders. (50 scores higher still on NAB, 5 of 7 folds when it is
  // listed, but adds a false page in scenarios-hard: a seasonal band's first firings no longer mask a
  // later lone anomaly of a quiet service: ruled out by the scenarios, so not a candidate.)
  { name: 'calib-min-200', overrides: { calibration_min_points: 200 } },
  // The robust MAD test's threshold: the default 6 was CV's choice over the earlier 4 in 4 of 7 folds
  // (its FP-to-TP ratio as the member that opens was 20 to 3), with bench:scenarios unchanged.
  { name: 'mad-4', overrides: { mad_threshold: 4 } },
  // (The rolling z-score's threshold: listed as zscore-5 next to the earlier default 3.5, CV picked 5
  // in 5 of 7 folds (tests-x0.75 in the other 2): left-out mean 75.53 → 76.06, traffic 86.24 → 87.61,
  // tweets 64.89 → 66.70, no category lower; on all files 72.84 → 73.25 (FP 109 → 103, TP 57 alike),
  // bench:scenarios unchanged on both folders: the default since. Listed as zscore-3.5 against it, it
  // was chosen in no fold (72.84 on all files): dropped, as the list holds a dozen. 4.5 scored 73.08,
  // 6 scored 72.07: tweets lost a window.)
];

/** The candidate's full detection config, validated by the config schema like a vigil.yaml would be. */
export function candidateDetection(candidate: NabCandidate, base: DetectionConfig = DEFAULTS): DetectionConfig {
  const parsed = DetectionConfigSchema.safeParse({ ...base, ...candidate.overrides });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`NAB candidate "${candidate.name}" is not a valid detection config: ${problems}`);
  }
  return parsed.data;
}

/** The overrides as `key=value`, for the CV table's legend. */
export function describeOverrides(candidate: NabCandidate): string {
  const entries = Object.entries(candidate.overrides);
  if (entries.length === 0) return '(production defaults)';
  return entries
    .map(([key, value]) => `${key}=${typeof value === 'number' ? +value.toFixed(6) : String(value)}`)
    .join(' ');
}
