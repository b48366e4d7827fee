import { statSync } from 'node:fs';
import { resolve } from 'node:path';

export interface BenchmarkInput {
  path: string;
  kind: 'folder' | 'file';
  /** What the path holds, e.g. "scenario folder". */
  what: string;
  /** Where the path came from when the user did not give it, e.g. "the default, ../shared/scenarios". */
  origin?: string;
  /** How to pass another, e.g. "npm run bench:scenarios -- <dir>". */
  usage: string;
}

/**
 * The message for an input a benchmark cannot read, or undefined when it is there. Benchmarks read
 * corpora that often live outside the repository (../shared/nab, ../shared/scenarios), so their
 * absence is an everyday case that deserves one line saying which path and how to pass another,
 * not a stack trace from readdirSync.
 */
export function missingInputMessage(input: BenchmarkInput): string | undefined {
  let found: BenchmarkInput['kind'] | undefined;
  try {
    found = statSync(input.path).isDirectory() ? 'folder' : 'file';
  } catch {
    found = undefined;
  }
  if (found === input.kind) return undefined;
  const origin = input.origin ? ` (${input.origin})` : '';
  return `no ${input.what} ${input.kind} at ${resolve(input.path)}${origin}. Pass one: ${input.usage}`;
}
