import type { DetectionConfig } from '../config/config-schema.js';
import { PAGE_SCORE } from '../detection/page-score.js';
import { crossValidateNab, type NabCandidateScores, type NabCrossValidation } from './cross-validate-nab.js';
import { candidateDetection, NAB_CANDIDATES, type NabCandidate } from './nab-candidates.js';
import { labelNabFile, readNabData, readNabWindows, scoreNabFile } from './run-nab.js';

export interface NabCrossValidationRun {
  files: number;
  rows: number;
  seconds: number;
  candidates: readonly NabCandidate[];
  result: NabCrossValidation;
}

/**
 * `bench:nab -- --cv`: scores every file once per candidate, keeps the score arrays in memory (the
 * folds only re-add them) and cross-validates at the page line. `progress` hears one line per pass,
 * since a pass over the corpus takes tens of seconds.
 */
export function runNabCrossValidation(options: {
  data: string;
  labels: string;
  candidates?: readonly NabCandidate[];
  progress?: (line: string) => void;
}): NabCrossValidationRun {
  const candidates = options.candidates ?? NAB_CANDIDATES;
  const progress = options.progress ?? (() => {});
  // Validate every candidate before the first long pass rather than after it.
  const detections = candidates.map((c) => candidateDetection(c));
  const started = performance.now();
  const data = readNabData(options.data);
  const windows = readNabWindows(options.labels);
  const runs: NabCandidateScores[] = candidates.map((candidate, k) => {
    const passStarted = performance.now();
    const files = data.map((file) => labelNabFile(file, scoreNabFile(file, detections[k] as DetectionConfig), windows));
    const elapsed = (performance.now() - started) / 1000;
    const left = (elapsed / (k + 1)) * (candidates.length - k - 1);
    progress(
      `candidate ${k + 1}/${candidates.length} ${candidate.name}: ${data.length} files in ` +
        `${((performance.now() - passStarted) / 1000).toFixed(1)} s (about ${left.toFixed(0)} s to go)`,
    );
    return { name: candidate.name, files };
  });
  const result = crossValidateNab(runs, PAGE_SCORE);
  return {
    files: data.length,
    rows: data.reduce((sum, f) => sum + f.values.length, 0),
    seconds: (performance.now() - started) / 1000,
    candidates,
    result,
  };
}
