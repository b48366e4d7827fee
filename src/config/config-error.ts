import { type ErrorCode, VigilError } from '../errors.js';

// Its own module: code that only throws it (the backends' connection check, which the detection
// thread runs) need not load the config file's parser and schemas (yaml, node-cron) with it.

/** Thrown when the file or the environment is invalid; `problems` lists every bad key with its path. */
export class ConfigError extends VigilError {
  readonly problems: string[];
  constructor(code: ErrorCode, source: string, problems: string[]) {
    super(code, `${source} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
