/**
 * The synthetic installation the tick benchmark watches: namespaces of services (a call graph per
 * namespace, so correlation has callers to walk), pods per service, and one gauge per signal and
 * pod. Pure: the history writer and the Vigil config are both derived from it.
 */

/** The four signals of vigil.example.yaml's kind, one gauge each: N series = pods × signals. */
export const SIGNALS = [
  {
    name: 'latency_p99',
    metric: 'vigil_bench_latency_p99_seconds',
    config: { direction: 'up', unit: 'seconds' },
  },
  {
    name: 'error_rate',
    metric: 'vigil_bench_error_ratio',
    config: { direction: 'up', unit: 'ratio', min_abs_deviation: 0.001, slo: { objective: 0.999 } },
  },
  {
    name: 'request_rate',
    metric: 'vigil_bench_requests_per_second',
    config: { direction: 'both', unit: 'per_second', role: 'traffic' },
  },
  { name: 'cpu', metric: 'vigil_bench_cpu_ratio', config: { direction: 'up', unit: 'ratio' } },
] as const;

export type BenchSignal = (typeof SIGNALS)[number];

export interface FleetService {
  name: string;
  namespace: string;
  team: string;
  depends_on: string[];
  /** Calls from the faulty service up to this one (0 = the faulty service itself); absent if unaffected. */
  faultDepth?: number;
}

export interface Fleet {
  namespaces: string[];
  services: FleetService[];
  /** Pod names, in service order: pods[i] belongs to services[podService[i]]. */
  pods: string[];
  podService: Uint32Array;
  /** The service whose fault the history carries, and its callers (nearest first). */
  faulty: string;
  callers: string[];
  seriesTotal: number;
}

export const PODS_PER_SERVICE = 10;
const SERVICES_PER_NAMESPACE = 40;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * `series` is rounded up to whole pods (one series per signal) and whole services. Within a
 * namespace service j calls 2j+1 and 2j+2 (a binary tree: the edge at the root, leaves deepest);
 * the fault starts in the last leaf of the first namespace and climbs to the root.
 */
export function buildFleet(series: number): Fleet {
  const podCount = Math.ceil(series / SIGNALS.length);
  const serviceCount = Math.max(1, Math.ceil(podCount / PODS_PER_SERVICE));
  const namespaceCount = Math.max(3, Math.ceil(serviceCount / SERVICES_PER_NAMESPACE));
  const namespaces = Array.from({ length: namespaceCount }, (_, i) => `ns-${pad(i, 2)}`);
  const perNamespace = namespaces.map(
    (_, i) => Math.floor(serviceCount / namespaceCount) + (i < serviceCount % namespaceCount ? 1 : 0),
  );
  const services: FleetService[] = [];
  namespaces.forEach((namespace, n) => {
    const size = perNamespace[n] as number;
    const nameOf = (j: number) => `${namespace}-svc-${pad(j, 4)}`;
    for (let j = 0; j < size; j += 1) {
      services.push({
        name: nameOf(j),
        namespace,
        team: `team-${pad(n, 2)}`,
        depends_on: [2 * j + 1, 2 * j + 2].filter((k) => k < size).map(nameOf),
      });
    }
  });
  // The fault: the last service of the first namespace (a leaf), then its ancestors up to the root.
  const first = services.filter((s) => s.namespace === namespaces[0]);
  const chain: FleetService[] = [];
  for (let j = first.length - 1; j >= 0; j = j === 0 ? -1 : Math.floor((j - 1) / 2)) {
    chain.push(first[j] as FleetService);
  }
  chain.forEach((s, depth) => {
    s.faultDepth = depth;
  });
  const pods: string[] = [];
  const podService = new Uint32Array(podCount);
  for (let p = 0; p < podCount; p += 1) {
    const s = p % services.length;
    podService[p] = s;
    pods.push(`${(services[s] as FleetService).name}-${pad(Math.floor(p / services.length), 3)}`);
  }
  return {
    namespaces,
    services,
    pods,
    podService,
    faulty: (chain[0] as FleetService).name,
    callers: chain.slice(1).map((s) => s.name),
    seriesTotal: podCount * SIGNALS.length,
  };
}
