/**
 * How an anomaly names the deploy that came shortly before it (`evidence.recent_deploy`): the
 * version and when, in one string, so that the hypothesis and the card can say how long before the
 * first anomaly it went out. Older events hold the version alone: read as a deploy of unknown time.
 */
const REFERENCE = /^(.*) \(deployed (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\)$/;

export function deployReference(version: string, atMs: number): string {
  return `${version} (deployed ${new Date(atMs).toISOString()})`;
}

export function readDeployReference(reference: string): { version: string; atMs: number | null } {
  const m = REFERENCE.exec(reference);
  return m ? { version: m[1] as string, atMs: Date.parse(m[2] as string) } : { version: reference, atMs: null };
}
