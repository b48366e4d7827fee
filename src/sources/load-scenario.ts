import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { type MetricSample, MetricSampleSchema, type OpsEvent, OpsEventSchema } from '../contracts/index.js';
import { ErrorCode, VigilError } from '../errors.js';

export const ScenarioTopologySchema = z.object({
  namespace: z.string().min(1),
  services: z
    .array(
      z.object({
        name: z.string().min(1),
        team: z.string().min(1),
        tier: z.number().int().min(1).max(3).optional(),
        depends_on: z.array(z.string().min(1)).default([]),
      }),
    )
    .min(1),
});
export type ScenarioTopology = z.infer<typeof ScenarioTopologySchema>;

export interface Scenario {
  topology: ScenarioTopology;
  samples: MetricSample[];
  events: OpsEvent[];
  /** Lines that were not valid MetricSample or event JSON, with where they were. */
  rejected: string[];
}

async function* readLines(path: string): AsyncGenerator<string> {
  const input = createReadStream(path);
  const stream = path.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  yield* createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
}

async function readJsonl<T>(path: string, schema: z.ZodType<T>, rejected: string[]): Promise<T[]> {
  const out: T[] = [];
  let n = 0;
  for await (const line of readLines(path)) {
    n += 1;
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      rejected.push(`${path}:${n}: not JSON`);
      continue;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) out.push(parsed.data);
    else rejected.push(`${path}:${n}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  }
  return out;
}

/**
 * Reads a scenario folder: topology.json, samples.jsonl.gz (or samples.jsonl), events.jsonl (optional).
 * Invalid lines are skipped and listed in `rejected`; a missing or invalid topology is an error.
 */
export async function loadScenario(dir: string): Promise<Scenario> {
  const topologyPath = join(dir, 'topology.json');
  if (!existsSync(topologyPath)) throw new VigilError(ErrorCode.ReplayInvalid, `${topologyPath} is missing`);
  let topologyJson: unknown;
  try {
    topologyJson = JSON.parse(readFileSync(topologyPath, 'utf8'));
  } catch (error) {
    throw new VigilError(ErrorCode.ReplayInvalid, `${topologyPath} is not JSON: ${(error as Error).message}`);
  }
  const topology = ScenarioTopologySchema.safeParse(topologyJson);
  if (!topology.success) {
    throw new VigilError(
      ErrorCode.ReplayInvalid,
      `${topologyPath} is invalid: ${topology.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const samplesPath = ['samples.jsonl.gz', 'samples.jsonl'].map((f) => join(dir, f)).find((p) => existsSync(p));
  if (!samplesPath) throw new VigilError(ErrorCode.ReplayInvalid, `${dir} has no samples.jsonl.gz or samples.jsonl`);
  const rejected: string[] = [];
  const samples = await readJsonl(samplesPath, MetricSampleSchema, rejected);
  const eventsPath = join(dir, 'events.jsonl');
  const events = existsSync(eventsPath) ? await readJsonl(eventsPath, OpsEventSchema, rejected) : [];
  return { topology: topology.data, samples, events, rejected };
}
