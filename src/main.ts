import type { AddressInfo } from 'node:net';
import { checkBackendConnections } from './config/check-backend-connections.js';
import type { VigilConfig } from './config/config-schema.js';
import type { VigilEnv } from './config/env-schema.js';
import { requireSlackSecrets } from './config/load-config.js';
import type { RecalibrationReport } from './detection/recalibrate.js';
import { ErrorCode, errorMessage, VigilError } from './errors.js';
import { createKeyedQueue } from './event-loop/create-keyed-queue.js';
import { createDigestJob, type DigestOutcome } from './feedback/create-digest-job.js';
import { readScorecard } from './feedback/scorecard.js';
import { createMetrics, type UnexpectedErrorOrigin } from './http/create-metrics.js';
import { createReadiness } from './http/create-readiness.js';
import { handleEventsIntake, refuseUnauthorizedIntake } from './http/handle-events-intake.js';
import { startHealthServer } from './http/start-health-server.js';
import type { Logger } from './logger.js';
import type { CycleOutcome } from './pipeline/create-detection-cycle.js';
import type { DetectionSide } from './pipeline/create-detection-side.js';
import { createPipeline, type Pipeline } from './pipeline/create-pipeline.js';
import { startDetectionThread } from './pipeline/start-detection-thread.js';
import { createExecutors, missingSecrets } from './remediation/executors/create-executors.js';
import { createExclusiveRunner } from './scheduler/create-exclusive-runner.js';
import { schedulePeriodMs } from './scheduler/schedule-period-ms.js';
import { type Scheduler, startScheduler } from './scheduler/start-scheduler.js';
import { recordChampion } from './shadow/record-champion.js';
import { checkOutgoingMessages } from './slack/check-outgoing-messages.js';
import { createBotBacktests } from './slack/create-bot-backtests.js';
import { createPostingClient } from './slack/create-posting-client.js';
import { createRateLimitGate } from './slack/create-rate-limit-gate.js';
import { createSlackApp } from './slack/create-slack-app.js';
import type { SlackBacktests } from './slack/create-slack-backtests.js';
import { createSlackPublisher } from './slack/create-slack-publisher.js';
import { createGroupDirectory, createSlackRemediationNotifier } from './slack/create-slack-remediation-notifier.js';
import { createSlackReportPoster } from './slack/create-slack-report-poster.js';
import { shadowSetupOf } from './slack/listeners/commands/answer-shadow-command.js';
import { createAlertmanagerIntake } from './sources/alertmanager-intake.js';
import { configuredPrometheusClient, configuredPrometheusSource } from './sources/configured-prometheus-source.js';
import { createDeployDiscovery } from './sources/discover-deploys.js';
import { createTopologyDiscovery, type TopologyRefreshReport } from './sources/discover-topology.js';
import type { CycleReport } from './storage/cycles-repo.js';
import { type Db, openDatabase } from './storage/open-database.js';
import { createWriteProbe } from './storage/probe-writable.js';
import { BACKGROUND_NICE, lowerOtherThreadsPriority } from './threads/lower-thread-priority.js';

export interface StartOptions {
  config: VigilConfig;
  env: VigilEnv;
  logger: Logger;
  /** The clock the cycles run on; tests pass a fixed past time to query backfilled data. */
  now?: () => Date;
  /**
   * Prometheus is reached with this fetch (tests). A function cannot cross into a thread: set
   * `detectionThread: false` with it.
   */
  fetch?: typeof fetch;
  /**
   * Run detection (queries, scoring, detector state, correlation, recalibration) in a worker
   * thread, so that Slack's acks never wait for it (default true). Off: in this thread, as replays
   * do; needed for an injected `fetch` and for an in-memory database, which a thread cannot share.
   */
  detectionThread?: boolean;
  /** Modules the detection thread imports before it starts (benchmarks instrument its fetch). */
  detectionThreadPreload?: string[];
  /** Run cycles on the cron schedule (default true); tests drive `runCycle` themselves. */
  schedule?: boolean;
  slackRetries?: number;
  unhandledRequestTimeoutMillis?: number;
  /** Interface to listen on (HTTP mode and health); default all interfaces. */
  host?: string;
  /** Where secrets named in the file (webhooks, backend auth) are read (default process.env). */
  secretEnv?: Readonly<Record<string, string | undefined>>;
}

export interface RunningVigil {
  /** Runs a detection cycle now, unless one is running (then null). */
  runCycle(): Promise<CycleOutcome | null>;
  /** Runs the batch recalibration now, unless one is running (then null). */
  runRecalibration(): Promise<RecalibrationReport | null>;
  /** Posts the weekly scorecard now, as its cron job does; null when no digest is configured or one is running. */
  runDigest(): Promise<DigestOutcome | null>;
  /** Reads the service graph now (topology_discovery); null when discovery is off or a refresh is running. */
  runTopologyRefresh(): Promise<TopologyRefreshReport | null>;
  pipeline: Pipeline;
  db: Db;
  slackPort: number | null;
  healthPort: number;
  /** Counts an error the process-level guard caught (vigil_unexpected_errors_total). */
  countUnexpectedError(origin: UnexpectedErrorOrigin): void;
  stop(): Promise<void>;
}

/** Composition root: config → store → Prometheus → pipeline → Slack → scheduler; stops in reverse. */
export async function startVigil(options: StartOptions): Promise<RunningVigil> {
  const { config, env, logger } = options;
  const now = options.now ?? (() => new Date());
  const secrets = requireSlackSecrets(config, env);
  const secretEnv = options.secretEnv ?? process.env;
  checkBackendConnections(config, secretEnv);
  const missing = missingSecrets(config.remediation, secretEnv);
  if (missing.length > 0 && config.remediation.dry_run) {
    // Dry runs never send a webhook: say it now, fail when it would matter (dry_run: false).
    logger.warn({ missing }, 'remediation webhook secrets are not set; needed before dry_run is turned off');
  } else if (missing.length > 0) {
    throw new VigilError(
      ErrorCode.SecretsMissing,
      `Remediation secrets missing from the environment: ${missing.map((m) => `${m.path}: ${m.message}`).join('; ')}`,
    );
  }
  const inThread = options.detectionThread ?? env.VIGIL_DB !== ':memory:';
  if (inThread && options.fetch)
    throw new Error('startVigil: an injected fetch cannot reach the detection thread; set detectionThread: false');
  if (inThread && env.VIGIL_DB === ':memory:')
    throw new Error('startVigil: the detection thread needs a database file, not :memory:');
  const periodMs = await schedulePeriodMs(config.schedule.detection);
  const db = openDatabase(env.VIGIL_DB, { checkpoints: !inThread });
  logger.info({ db: env.VIGIL_DB }, 'database open');
  const readiness = createReadiness({ now, periodMs, probeDatabase: createWriteProbe(db) });
  // The last cycle's report, also when storing it failed (for /vigil status).
  let lastCycle: CycleReport | undefined;
  const pipelineRef: { current?: Pipeline } = {};
  const repos = () => (pipelineRef.current as Pipeline).repos;
  const metrics = createMetrics({
    // Before the pipeline exists (the first second of start-up) there is nothing to count.
    openIncidents: () => (pipelineRef.current ? repos().incidents.countActive() : 0),
    feedbackByLabel: () => (pipelineRef.current ? repos().feedback.countByLabel() : {}),
    remediationByStatus: () => (pipelineRef.current ? repos().remediation.countByStatus() : {}),
    scorecard: (days) => (pipelineRef.current ? readScorecard(repos().scorecard, { now: now(), days }) : undefined),
  });
  const eventsToken = env.VIGIL_EVENTS_TOKEN;
  const alertmanagerToken = env.VIGIL_ALERTMANAGER_TOKEN;
  const serviceNamespaces = new Map(config.services.map((s) => [s.name, s.namespace]));
  const health = await startHealthServer(
    {
      port: config.http.health_port,
      logger: logger.child({ name: 'health' }),
      ...(options.host ? { host: options.host } : {}),
    },
    {
      ready: readiness.check,
      metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
      ...(eventsToken
        ? {
            intake: {
              authorize: (authorization: string | undefined) => refuseUnauthorizedIntake(authorization, eventsToken),
              accept: (body: string) => {
                const pipeline = pipelineRef.current;
                if (!pipeline) return { status: 503, body: { error: 'vigil_starting', message: 'try again shortly' } };
                return handleEventsIntake(body, (event) => pipeline.recordOpsEvent(event, 'intake'));
              },
            },
          }
        : {}),
      ...(alertmanagerToken
        ? {
            alertmanager: createAlertmanagerIntake({
              token: alertmanagerToken,
              config: config.alertmanager_intake,
              namespaceOf: (service) => serviceNamespaces.get(service),
              record: (alerts) => pipelineRef.current?.repos.alerts.record(alerts, now().toISOString()) ?? null,
              arrived: () => pipelineRef.current?.detection.alertsArrived(),
              count: metrics.countAlertmanagerIntake,
              logger: logger.child({ name: 'alertmanager' }),
            }),
          }
        : {}),
    },
  );
  logger.info(
    alertmanagerToken
      ? 'Alertmanager intake on POST /alertmanager of the health port'
      : 'Alertmanager intake off (POST /alertmanager answers 404): VIGIL_ALERTMANAGER_TOKEN is not set',
  );
  let detectionThread: DetectionSide | undefined;
  try {
    return await startAfterHealth();
  } catch (error) {
    // A start-up failure (Slack refuses the token, a port is taken) must not leave these open.
    await detectionThread?.close();
    await health.close();
    db.close();
    throw error;
  }

  async function startAfterHealth(): Promise<RunningVigil> {
    // Only this thread acks Slack: Node's and V8's helper threads yield to it like the detection thread.
    const lowered = await lowerOtherThreadsPriority(BACKGROUND_NICE);
    logger.debug({ lowered, nice: BACKGROUND_NICE }, 'helper threads lowered');
    if (inThread)
      detectionThread = await startDetectionThread({
        config,
        dbPath: env.VIGIL_DB,
        secretEnv,
        logger,
        persistState: true,
        ...(options.detectionThreadPreload ? { preload: options.detectionThreadPreload } : {}),
      });
    const detection = detectionThread
      ? { started: detectionThread }
      : {
          source: configuredPrometheusSource(config, secretEnv, options.fetch, logger.child({ name: 'discovery' })),
          persistState: true,
        };
    let running = () => false;
    let seriesTracked = () => 0;
    // The Slack app's listeners need the repos and the pipeline needs the app's client to publish:
    // listeners reach the repos through pipelineRef, set before the app starts.
    // One Retry-After memory for every Web API client: Bolt's, and the one that posts cards.
    const rateLimits = createRateLimitGate();
    // Every message any client or `respond` sends is fitted to Slack's limits on its way out.
    const slackFetch = checkOutgoingMessages(rateLimits.fetch, logger);
    // A card is rebuilt from the store when its turn comes: one incident's updates go out in order.
    const republishing = createKeyedQueue();
    let backtests: SlackBacktests | undefined;
    const app = createSlackApp(
      {
        mode: config.slack.mode,
        secrets,
        timeoutMs: config.slack.timeout_ms,
        retries: options.slackRetries ?? 2,
        fetch: slackFetch,
        logger,
        ...(options.unhandledRequestTimeoutMillis !== undefined
          ? { unhandledRequestTimeoutMillis: options.unhandledRequestTimeoutMillis }
          : {}),
      },
      {
        get repos() {
          return repos();
        },
        logger: logger.child({ name: 'listeners' }),
        now,
        seriesTracked: () => seriesTracked(),
        cycleRunning: () => running(),
        lastCycle: () => lastCycle,
        republish: (id) =>
          republishing.run(id, async () => {
            await pipelineRef.current?.publish?.([id]);
          }),
        get remediation() {
          return pipelineRef.current?.remediation;
        },
        explain: {
          detection: config.detection,
          stepSeconds: config.prometheus.step_seconds,
          signals: config.signals,
          feedback: config.recalibration.feedback,
        },
        feedbackEmoji: config.feedback,
        teams: Object.keys(config.teams),
        get backtests() {
          return backtests;
        },
        shadow: shadowSetupOf(config),
        get silences() {
          return pipelineRef.current?.silences;
        },
        services: config.services.map((s) => ({ name: s.name, namespace: s.namespace })),
        get cardOf() {
          return pipelineRef.current?.cardOf;
        },
        teamMembers: new Map(Object.entries(config.teams).map(([team, t]) => [team, t.members])),
        get topology() {
          return pipelineRef.current?.topology;
        },
        topologySource: config.topology_discovery.enabled ? config.topology_discovery.source : null,
      },
    );
    const poster = createPostingClient(secrets.botToken, {
      apiUrl: secrets.apiUrl,
      timeoutMs: config.slack.timeout_ms,
      fetch: slackFetch,
    });
    const pipeline = createPipeline({
      config,
      db,
      detection,
      logger,
      now,
      publisher: createSlackPublisher({ client: app.client, poster }),
      // The detection thread has its own client; the cards' charts query from this thread.
      ...(detectionThread ? { chartSource: configuredPrometheusSource(config, secretEnv) } : {}),
      remediation: {
        executor: createExecutors({ remediation: config.remediation, secretEnv, now }),
        notifier: createSlackRemediationNotifier(app.client),
        groupMembers: createGroupDirectory(app.client, 60_000),
        now,
      },
    });
    pipelineRef.current = pipeline;
    backtests = createBotBacktests({
      config,
      db,
      secretEnv,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      now,
      logger,
      client: app.client,
      poster: createPostingClient(secrets.botToken, {
        apiUrl: secrets.apiUrl,
        timeoutMs: config.slack.timeout_ms,
        fetch: slackFetch,
      }),
    });
    seriesTracked = pipeline.seriesTracked;
    // A new champion (a promoted challenger) is recorded once, by the first start that runs it.
    const championChange = recordChampion(pipeline.repos.shadow, config.detection, now());
    if (championChange) logger.info(championChange, 'detection champion recorded');

    // Deploys Prometheus recorded (deploy_discovery), stored like POST /events before the cycle reads them.
    const deployDiscovery = config.deploy_discovery.enabled
      ? createDeployDiscovery({
          config: config.deploy_discovery,
          client: configuredPrometheusClient(config, secretEnv, options.fetch),
          stepSeconds: config.prometheus.step_seconds,
          record: (event) => pipeline.recordOpsEvent(event, 'prometheus'),
          logger: logger.child({ name: 'deploy-discovery' }),
        })
      : undefined;
    // Call edges from the service graph (topology_discovery): read now, then on their schedule.
    const discovery = config.topology_discovery.enabled
      ? createTopologyDiscovery({
          client: configuredPrometheusClient(config, secretEnv, options.fetch),
          config: config.topology_discovery,
          apply: (edges) => pipeline.setDiscoveredEdges(edges),
          logger: logger.child({ name: 'topology' }),
        })
      : undefined;
    const topologyRunner = discovery ? createExclusiveRunner(() => discovery.refresh(now())) : undefined;
    // The first read starts now, while Slack connects. The first cycle waits for it (bounded by the
    // Prometheus timeout): a cycle correlating without the graph would split one outage of services
    // linked only there into several incidents. A failed read leaves the configured edges only.
    const firstTopologyRead =
      topologyRunner && options.schedule !== false
        ? topologyRunner.run().then(
            () => undefined,
            (error: unknown) => {
              logger.error(
                { err: error },
                'reading the service graph failed; configured edges only until the next refresh',
              );
            },
          )
        : undefined;
    const runner = createExclusiveRunner(async () => {
      await firstTopologyRead;
      await deployDiscovery?.refresh(now()).catch((error: unknown) => {
        logger.warn({ err: error }, 'reading deploys from Prometheus failed; the cycle runs without them');
      });
      const outcome = await pipeline.cycle.run(now());
      lastCycle = outcome;
      readiness.observeCycle(outcome);
      metrics.observeCycle(outcome);
      // Housekeeping of requests rides on the tick: expiry is told in the thread within a minute.
      await pipeline.remediation?.expireDue();
      if (outcome.publish) await pipeline.remediation?.autoRemediate(outcome.publish.posted);
      return outcome;
    });
    running = runner.running;

    // Verifies the bot token (auth.test): a wrong token fails here, with its Slack error code.
    const slackStep = async <T>(step: () => Promise<T>): Promise<T> => {
      try {
        return await step();
      } catch (error) {
        throw new VigilError(
          ErrorCode.SlackStartup,
          `Slack refused Vigil or could not be reached at start-up (${errorMessage(error)}). Check SLACK_BOT_TOKEN` +
            `${config.slack.mode === 'socket' ? ' and SLACK_APP_TOKEN' : ''}, and that ${secrets.apiUrl ?? 'https://slack.com/api/'} is reachable.`,
          { cause: error },
        );
      }
    };
    await slackStep(() => app.init());
    // Before any click can arrive: a request a crash left running is marked for a human.
    await pipeline.remediation?.recoverInterrupted();
    // Before Slack's requests are taken: the first real card then does not compile its code while
    // they wait. A failure costs only that, never the start.
    await pipeline.warmCards(now()).catch((error: unknown) => {
      logger.warn({ err: error }, 'warming the card path failed; the first card will be slower');
    });
    let slackPort: number | null = null;
    if (config.slack.mode === 'http') {
      const server = (await slackStep(() =>
        app.start({ port: config.slack.port, ...(options.host ? { host: options.host } : {}) }),
      )) as {
        address(): AddressInfo | string | null;
      };
      slackPort = (server.address() as AddressInfo).port;
      logger.info({ port: slackPort }, 'Slack HTTP receiver listening on /slack/events');
    } else {
      await slackStep(() => app.start());
      logger.info('connected to Slack in Socket Mode');
    }
    const recalibrationRunner = createExclusiveRunner(() => pipeline.detection.recalibrate(now()));
    const digestConfig = config.feedback.digest;
    const digestRunner = digestConfig
      ? createExclusiveRunner(
          createDigestJob({
            scorecard: pipeline.repos.scorecard,
            post: createSlackReportPoster({ client: app.client, poster }),
            channel: digestConfig.channel,
            now,
            logger: logger.child({ name: 'digest' }),
          }),
        )
      : undefined;
    const schedulers: Scheduler[] =
      options.schedule === false
        ? []
        : [
            startScheduler(config.schedule.detection, runner, logger),
            ...(config.recalibration.enabled
              ? [startScheduler(config.recalibration.schedule, recalibrationRunner, logger, 'recalibration')]
              : []),
            ...(digestConfig && digestRunner
              ? [startScheduler(digestConfig.schedule, digestRunner, logger, 'digest')]
              : []),
          ];
    if (topologyRunner && options.schedule !== false)
      schedulers.push(startScheduler(config.topology_discovery.refresh, topologyRunner, logger, 'topology'));
    readiness.setStarted(true);

    return {
      runCycle: async () => {
        const outcome = await runner.run();
        return outcome.ran ? outcome.result : null;
      },
      runRecalibration: async () => {
        const outcome = await recalibrationRunner.run();
        return outcome.ran ? outcome.result : null;
      },
      runTopologyRefresh: async () => {
        const outcome = await topologyRunner?.run();
        return outcome?.ran ? outcome.result : null;
      },
      runDigest: async () => {
        const outcome = await digestRunner?.run();
        return outcome?.ran ? outcome.result : null;
      },
      pipeline,
      db,
      slackPort,
      healthPort: health.port,
      countUnexpectedError: metrics.countUnexpectedError,
      async stop() {
        readiness.setStarted(false);
        for (const scheduler of schedulers) await scheduler.stop();
        // A backtest reads this database: it stops (its message says so) before the database closes.
        await backtests?.stop();
        // Let running jobs finish their writes before the database closes.
        while (
          runner.running() ||
          recalibrationRunner.running() ||
          digestRunner?.running() ||
          topologyRunner?.running()
        )
          await new Promise((r) => setTimeout(r, 50));
        try {
          const saved = await pipeline.detection.saveForStop(now());
          if (saved) logger.info(saved, 'detector state saved for the next start');
        } catch (error) {
          // The checkpoints already saved are still good: the next start replays from them.
          logger.error({ err: error }, 'saving detector state at stop failed');
        }
        await pipeline.close();
        await app.stop();
        await health.close();
        db.close();
        logger.info('stopped');
      },
    };
  }
}
