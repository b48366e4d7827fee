import type { SignalConfig } from '../config/config-schema.js';
import type { AnomalyEvent, Incident } from '../contracts/index.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { formatValue, type Unit } from '../slack/blocks/format-value.js';
import type { CardLocation, CardPublisher } from '../slack/card-publisher.js';
import type { SampleSource } from '../sources/sample-source.js';
import type { AnomaliesRepo } from '../storage/anomalies-repo.js';
import type { OpsEventsRepo } from '../storage/ops-events-repo.js';
import type { SeriesAnomaliesRepo, SeriesAnomalyPoint } from '../storage/series-anomalies-repo.js';
import { buildChartInput } from './build-chart-input.js';
import type { ChartRenderer } from './start-chart-renderer.js';

/** Hours of the series shown: enough to see what normal looked like before the onset. */
export const CHART_WINDOW_HOURS = 3;
/** Series of the incident looked at for one that can be charted (an alert has no series to query). */
const CANDIDATE_SERIES = 12;
/** Anomalous points read for the band: 3 h at one-minute steps, with room for several detectors' points. */
const BAND_POINTS = 2_000;
/** Steps of empty axis after the last anomaly, so the newest points are not on the frame's edge. */
const RIGHT_MARGIN_STEPS = 10;

export type ChartOutcome = 'attached' | 'no_series' | 'failed';

export interface ChartAttacher {
  /** Renders the chart of the incident's main series and puts it in the card's thread; never throws. */
  attach(incident: Incident, card: CardLocation): Promise<ChartOutcome>;
  /** The charts of this round are attached: the chart thread may stop now (ChartRenderer.release). */
  release(): void;
}

export interface ChartAttacherOptions {
  /** The signals' source (Prometheus query_range with its timeout and auth, or a replay). */
  source: SampleSource;
  signals: readonly SignalConfig[];
  stepSeconds: number;
  anomalies: Pick<AnomaliesRepo, 'strongestPerSeries'>;
  seriesAnomalies: SeriesAnomaliesRepo;
  opsEvents: Pick<OpsEventsRepo, 'between'>;
  /** Must offer attachImage; a publisher without it gets no charts (and no attacher is made). */
  publisher: CardPublisher;
  /** Draws the image (in the chart thread, off the thread that acks Slack). */
  renderer: Pick<ChartRenderer, 'render' | 'release'>;
  logger: Logger;
}

const clock = (ms: number) => `${new Date(ms).toISOString().slice(11, 16)} UTC`;

/** The series to draw: the strongest one of the probable starting service, else the strongest. */
function pickSeries(
  candidates: readonly AnomalyEvent[],
  incident: Incident,
  signals: ReadonlyMap<string, SignalConfig>,
) {
  const chartable = candidates.filter((e) => e.detector !== 'alertmanager' && signals.has(e.metric_name));
  return chartable.find((e) => e.service === incident.hypothesis.probable_starting_service) ?? chartable[0];
}

/** What a failure means to the operator, and what fixes it. */
function hintFor(reason: string): string {
  if (reason.includes('missing_scope'))
    return 'add the files:write bot scope (slack-app-manifest.yml) and reinstall the app';
  if (reason.includes('not_in_channel') || reason.includes('channel_not_found'))
    return 'invite the bot to the channel (/invite @Vigil): files need membership, unlike posts with chat:write.public';
  return 'the card keeps its text sparkline; the next incident tries again';
}

function describe(
  event: AnomalyEvent,
  unit: Unit,
  points: readonly SeriesAnomalyPoint[],
  deploys: ReadonlyArray<{ timestampMs: number; label: string }>,
): string {
  const first = points[0];
  const peak = points.reduce<SeriesAnomalyPoint | undefined>(
    (best, p) => (!best || Math.abs(p.value - p.upper_bound) > Math.abs(best.value - best.upper_bound) ? p : best),
    undefined,
  );
  const parts = [`${event.metric_name} of ${event.service} over the last ${CHART_WINDOW_HOURS} hours`];
  if (first)
    parts.push(
      `expected ${formatValue(first.lower_bound, unit)}–${formatValue(first.upper_bound, unit)} at the onset (${clock(Date.parse(first.ts))})`,
    );
  if (peak) parts.push(`${points.length} anomalous points, up to ${formatValue(peak.value, unit)}`);
  for (const d of deploys) parts.push(`${d.label} at ${clock(d.timestampMs)}`);
  return parts.join('; ');
}

/**
 * Charts an incident once, when its card first goes out: one query_range of one series over a few
 * hours, one render (tens of ms, in the chart thread), one upload into the card's thread. A refused upload (no
 * files:write scope, bot not in the channel, any error or timeout) leaves the card as it is, with
 * its text sparkline, and is logged once (again only after an upload has worked since).
 */
export function createChartAttacher(options: ChartAttacherOptions): ChartAttacher {
  const { publisher, logger } = options;
  const signals = new Map(options.signals.map((s) => [s.name, s]));
  const stepMs = options.stepSeconds * 1000;
  let failureLogged = false;

  async function attach(incident: Incident, card: CardLocation): Promise<ChartOutcome> {
    const log = logger.child({ incident_id: incident.id });
    if (!publisher.attachImage) return 'no_series';
    const event = pickSeries(options.anomalies.strongestPerSeries(incident.id, CANDIDATE_SERIES), incident, signals);
    const signal = event ? signals.get(event.metric_name) : undefined;
    if (!event || !signal) return 'no_series';
    const points = options.seriesAnomalies.pointsOf(incident.id, event.series_key, '', BAND_POINTS);
    const last = points.at(-1);
    if (!last) return 'no_series';
    const fetchEndMs = Math.ceil(Date.parse(last.ts) / stepMs) * stepMs;
    const startMs = fetchEndMs - CHART_WINDOW_HOURS * 3_600_000;
    const endMs = fetchEndMs + RIGHT_MARGIN_STEPS * stepMs;
    try {
      const batch = await options.source.fetch(signal, {
        startMs,
        endMs: fetchEndMs,
        stepSeconds: options.stepSeconds,
        services: [event.service],
      });
      const series = batch.series.find((s) => s.key === event.series_key);
      if (!series) throw new Error(`the source has no points of ${event.series_key} over the chart's window`);
      const deploys = options.opsEvents
        .between(new Date(startMs).toISOString(), new Date(fetchEndMs).toISOString())
        .flatMap((e) =>
          e.type === 'deploy' && e.service === event.service && e.namespace === event.namespace
            ? [{ timestampMs: Date.parse(e.timestamp), label: `deploy ${e.version}`.trim() }]
            : [],
        );
      const unit = signal.unit;
      const inWindow = points.filter((p) => Date.parse(p.ts) >= startMs);
      const title = `${event.metric_name} · ${event.service} (${incident.id})`;
      const chart = await options.renderer.render(
        buildChartInput({
          title,
          unit,
          startMs,
          endMs,
          timestamps: series.timestamps,
          values: series.values,
          anomalies: inWindow,
          deploys,
        }),
      );
      const altText = describe(event, unit, inWindow, deploys);
      await publisher.attachImage(card.channel, card.ts, {
        png: chart.png,
        filename: `${incident.id}.png`,
        title,
        altText,
        comment: `Chart of ${event.metric_name} for ${event.service}: the blue line against its expected range (green), anomalous points in red.`,
        incidentId: incident.id,
      });
      failureLogged = false;
      log.info({ series_key: event.series_key, bytes: chart.png.length }, 'incident chart attached to the card thread');
      return 'attached';
    } catch (error) {
      const reason = errorMessage(error);
      if (!failureLogged) {
        failureLogged = true;
        log.warn(
          { err: error, reason, hint: hintFor(reason) },
          'incident chart not attached; cards keep their text sparkline (logged once until a chart goes through)',
        );
      } else {
        log.debug({ reason }, 'incident chart not attached');
      }
      return 'failed';
    }
  }
  return { attach, release: () => options.renderer.release() };
}
