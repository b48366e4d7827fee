/**
 * The one rule that turns a detector's score into an action, shared by the tick and `bench:nab`:
 * a point opens (or extends) an anomaly in production exactly when its score is at least this,
 * after warm-up, direction, minimum deviation, calibration and every other production rule have
 * been folded into the score. The benchmark's headline figure is scored at this line, never at a
 * threshold chosen after looking at labels.
 */
export const PAGE_SCORE = 0.5;
