import { describe, expect, it } from 'vitest';
import { FeedbackCalibrationConfigSchema } from '../../src/config/config-schema.js';
import { feedbackMinScore, feedbackStep } from '../../src/detection/feedback-adjustment.js';

const settings = FeedbackCalibrationConfigSchema.parse({});
const tail = (minScore: number) => 1 - minScore;

describe('feedback adjustment of a series threshold', () => {
  it('has defaults a person can read: 3 labels, a factor of 2 per run, between 0.99 and 0.99999', () => {
    expect(settings).toEqual({
      enabled: true,
      min_labels: 3,
      max_step_factor: 2,
      min_score_floor: 0.99,
      min_score_ceiling: 0.99999,
    });
  });

  it('mostly noisy raises the threshold by one bounded step: the tail halves, never more', () => {
    const step = feedbackStep(settings, 0.999, 1, { noisy: 3, useful: 1 });
    expect(step.direction).toBe('raise');
    expect(step.tailFactor).toBe(0.5);
    expect(step.why).toBe('1 useful, 3 noisy since the last feedback change, mostly noisy: stricter (tail ×0.5)');
    const minScore = feedbackMinScore(settings, 0.999, step.tailFactor);
    expect(tail(minScore)).toBeCloseTo(0.0005, 12);
    // However many labels, one run moves it one step.
    const flood = feedbackStep(settings, 0.999, 1, { noisy: 500 });
    expect(flood.tailFactor).toBe(0.5);
  });

  it('mostly late lowers it by one bounded step', () => {
    const step = feedbackStep(settings, 0.999, 1, { late: 2, useful: 1 });
    expect(step.direction).toBe('lower');
    expect(step.tailFactor).toBe(2);
    expect(tail(feedbackMinScore(settings, 0.999, step.tailFactor))).toBeCloseTo(0.002, 12);
  });

  it('too few labels change nothing, whatever they say', () => {
    const step = feedbackStep(settings, 0.999, 1, { noisy: 2, duplicate: 5 });
    expect(step).toEqual({ direction: undefined, tailFactor: 1, why: '2 new verdict labels (2 noisy), 3 needed' });
  });

  it('duplicate, wrong_start and expected are not the series’ fault: they never move it', () => {
    expect(feedbackStep(settings, 0.999, 1, { duplicate: 9, wrong_start: 9, expected: 9 }).direction).toBeUndefined();
    // Nor do they dilute a verdict: 3 noisy of 3 verdict labels raises.
    expect(feedbackStep(settings, 0.999, 1, { noisy: 3, duplicate: 9, expected: 9 }).direction).toBe('raise');
  });

  it('mixed labels, no majority: no change', () => {
    const step = feedbackStep(settings, 0.999, 1, { noisy: 2, late: 2, useful: 1 });
    expect(step.direction).toBeUndefined();
    expect(step.why).toBe('mixed labels (1 useful, 2 noisy, 2 late): no majority of noisy or late');
    // Exactly half is not a majority.
    expect(feedbackStep(settings, 0.999, 1, { noisy: 2, useful: 2 }).direction).toBeUndefined();
  });

  it('stays within the ceiling: steps stop there, and at it noisy labels change nothing', () => {
    let factor = 1;
    const seen: number[] = [];
    for (let run = 0; run < 12; run += 1) {
      const step = feedbackStep(settings, 0.999, factor, { noisy: 3 });
      if (!step.direction) {
        expect(step.why).toBe('3 noisy, but already at the ceiling 0.99999');
        break;
      }
      // Never more than one factor per run.
      expect(factor / step.tailFactor).toBeLessThanOrEqual(settings.max_step_factor + 1e-12);
      factor = step.tailFactor;
      seen.push(feedbackMinScore(settings, 0.999, factor));
    }
    // 0.001 → 0.00001 is a factor 100: 6 halvings and a last, smaller step.
    expect(seen).toHaveLength(7);
    expect(seen.at(-1)).toBeCloseTo(settings.min_score_ceiling, 12);
    expect(seen.every((s, i) => i === 0 || s > (seen[i - 1] as number))).toBe(true);
  });

  it('stays within the floor when lowering', () => {
    let factor = 1;
    for (let run = 0; run < 10; run += 1) factor = feedbackStep(settings, 0.999, factor, { late: 3 }).tailFactor;
    expect(factor).toBeCloseTo(10, 9);
    expect(feedbackMinScore(settings, 0.999, factor)).toBeCloseTo(settings.min_score_floor, 12);
    expect(feedbackStep(settings, 0.999, factor, { late: 3 }).direction).toBeUndefined();
  });

  it('never moves a threshold against the labels: a series the alert rate holds above the ceiling stays there', () => {
    expect(feedbackMinScore(settings, 0.999995, 0.5)).toBe(0.999995);
    expect(feedbackStep(settings, 0.999995, 1, { noisy: 3 }).direction).toBeUndefined();
    // A series configured looser than the floor is not raised by late labels.
    expect(feedbackMinScore(settings, 0.95, 4)).toBe(0.95);
    expect(feedbackStep(settings, 0.95, 1, { late: 3 }).direction).toBeUndefined();
  });

  it('a configured step factor and min_labels are honoured', () => {
    const strict = FeedbackCalibrationConfigSchema.parse({ min_labels: 1, max_step_factor: 10 });
    const step = feedbackStep(strict, 0.999, 1, { noisy: 1 });
    expect(step.tailFactor).toBeCloseTo(0.1, 12);
    expect(feedbackMinScore(strict, 0.999, step.tailFactor)).toBeCloseTo(0.9999, 12);
  });

  it('a floor not below the ceiling is refused, naming the field', () => {
    const result = FeedbackCalibrationConfigSchema.safeParse({ min_score_floor: 0.9999, min_score_ceiling: 0.999 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['min_score_floor']);
    expect(FeedbackCalibrationConfigSchema.safeParse({ max_step_factor: 1 }).success).toBe(false);
  });
});
