import { type AnomalyEvent, type Incident, IncidentSchema, SCHEMA_VERSION } from '../contracts/index.js';
import { createRecordingPublisher } from '../demo/create-recording-publisher.js';
import { anomalyIdOf } from '../detection/anomaly-id.js';
import { openDatabase } from '../storage/open-database.js';
import { createRepos } from './create-repos.js';
import { type PublishDeps, publishIncidents } from './publish-incidents.js';

/** What a card needs besides the store and Slack: the configuration's runbooks, units, emoji and offers. */
export type CardSettings = Pick<PublishDeps, 'runbooksOf' | 'units' | 'feedbackEmoji' | 'remediationCard' | 'logger'>;

/**
 * Publishes a sample incident, twice (its card posted, then edited with a new series in its
 * thread), into a scratch in-memory store with a publisher that sends nothing, through the same
 * publishIncidents, repositories and card builders as a real one.
 *
 * Why: the process's first card costs 20-50 ms more than the next ones on the thread that acks
 * Slack, because V8 compiles its builders and zod compiles its row schemas the first time they run
 * (bench database at 10 000 series: incidents.get 6-14 ms the first time against 0.3, the strongest
 * anomaly per series 8-13 against 1-2, the card's blocks 17-27 against 3-5, Block Kit limits 10-21
 * against 0.5). That first card comes in a catch-up, while Slack's requests are busiest. Run at
 * start-up, before Slack's requests are taken, the costs are paid when nobody waits. Nothing leaves
 * the process, and nothing is written to the real store.
 */
export async function warmCardPath(settings: CardSettings, now: Date): Promise<void> {
  const db = openDatabase(':memory:');
  try {
    const repos = createRepos(db);
    const publisher = createRecordingPublisher();
    // Its lines are about the sample: not a card anyone should look for in Slack.
    const deps: PublishDeps = {
      ...settings,
      ...repos,
      publisher,
      logger: settings.logger.child({}, { level: 'silent' }),
    };
    const at = (minutesBefore: number) => new Date(now.getTime() - minutesBefore * 60_000).toISOString();
    const first = [
      sampleAnomaly('checkout', 'latency_p99', at(6), 'level_shift', 0.93),
      sampleAnomaly('checkout', 'latency_p99', at(5), 'robust_mad', 0.98),
      sampleAnomaly('payments', 'error_rate', at(4), 'seasonal', 0.91),
    ];
    const incident = sampleIncident(['checkout', 'payments'], at(6), at(4));
    repos.anomalies.insert(first, at(4));
    repos.incidents.save(
      incident,
      first.map((a) => ({ id: a.id, suppressed: false })),
    );
    const posted = await publishIncidents([incident.id], deps);
    const later = sampleAnomaly('frontend', 'request_rate', at(2), 'novel_pattern', 0.95);
    repos.anomalies.insert([later], at(2));
    const stored = repos.incidents.get(incident.id) ?? incident;
    repos.incidents.save({ ...stored, services: [...stored.services, 'frontend'], last_anomaly_at: at(2) }, [
      { id: later.id, suppressed: false },
    ]);
    const edited = await publishIncidents([incident.id], deps);
    // publishIncidents keeps going past a card it could not build: here that is this code's fault.
    const failed = [...posted.failed, ...edited.failed].map((f) => f.error);
    if (posted.posted.length !== 1 || edited.updated.length !== 1 || failed.length > 0) {
      throw new Error(`the sample card was not published and edited: ${failed.join('; ') || 'no error given'}`);
    }
  } finally {
    db.close();
  }
}

function sampleAnomaly(
  service: string,
  metric: string,
  at: string,
  detector: AnomalyEvent['detector'],
  score: number,
): AnomalyEvent {
  const key = `sample/${service}/${metric}`;
  return {
    schema_version: SCHEMA_VERSION,
    id: anomalyIdOf(key, Date.parse(at)),
    timestamp: at,
    series_key: key,
    service,
    namespace: 'sample',
    metric_name: metric,
    labels: { pod: `${service}-0` },
    window_seconds: 3600,
    value: 1.2,
    expected: 0.4,
    lower_bound: 0.3,
    upper_bound: 0.5,
    anomaly_score: score,
    opens: true,
    detector,
    direction: 'up',
    evidence: {
      sample_count: 61,
      baseline_points: 60,
      baseline_days: 2,
      seasonal_days: 2,
      z_score: 9.1,
      robust_z_score: 11.4,
      missing_samples: 0,
      recent_deploy: null,
      recent_values: [0.4, 0.41, 0.39, 0.42, 1.2],
      detectors: [
        { name: detector, statistic: 9.1, threshold: 4, score, fired: true },
        { name: 'rolling_zscore', statistic: 3.2, threshold: 4, score: 0.6, fired: false },
      ],
    },
  };
}

function sampleIncident(services: string[], createdAt: string, lastAt: string): Incident {
  return IncidentSchema.parse({
    schema_version: SCHEMA_VERSION,
    id: 'inc-sample',
    fingerprint: 'sample',
    status: 'open',
    severity: 'high',
    services,
    namespace: 'sample',
    team: 'sample',
    channel: '#sample',
    created_at: createdAt,
    updated_at: lastAt,
    last_anomaly_at: lastAt,
    resolved_at: null,
    hypothesis: { probable_starting_service: services[0], confidence: 0.7, reason: 'earliest anomaly' },
    slack: null,
    opened_at: createdAt,
  });
}
