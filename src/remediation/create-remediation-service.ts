/**
 * Remediation requests from proposal to result. Every decision is made here, on the server, from
 * the configuration and the stored request: a button only says which request a person clicked.
 * A request is stored before anything runs, and moves proposed → approved → executing → succeeded
 * | failed (or rejected | expired) by conditional updates, so whoever clicks however often, one
 * execution happens.
 */
import { randomBytes } from 'node:crypto';
import type { ServiceConfig } from '../config/config-schema.js';
import type { ActionConfig, RemediationConfig } from '../config/remediation-schema.js';
import type { Incident } from '../contracts/index.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { SlackMessage } from '../slack/blocks/block-kit-limits.js';
import {
  buildRequestMessage,
  type RemediationOffer,
  requestStateLine,
  resultText,
} from '../slack/blocks/build-remediation-blocks.js';
import type { RemediationRepo, RemediationRequest } from '../storage/remediation-repo.js';
import { ExecutionError, type Executor } from './executors/executor.js';
import { inScope, renderAction, type TemplateContext } from './render-action.js';

/** Where requests and results are told: the incident card's thread. */
export interface RemediationNotifier {
  post(channel: string, threadTs: string, message: SlackMessage): Promise<{ ts: string }>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  reply(channel: string, threadTs: string, text: string): Promise<void>;
}

export interface RemediationDeps {
  config: RemediationConfig;
  services: readonly ServiceConfig[];
  repo: RemediationRepo;
  incident: (id: string) => Incident | undefined;
  executor: Executor;
  /** Members of a Slack user group (usergroups.users.list); rejects if Slack cannot tell. */
  groupMembers: (groupId: string) => Promise<ReadonlySet<string>>;
  notifier?: RemediationNotifier;
  /** Re-renders the incident's card (its remediation line changed). */
  republish: (incidentId: string) => Promise<void>;
  now: () => Date;
  logger: Logger;
  newId?: () => string;
}

export interface Outcome {
  ok: boolean;
  message: string;
}

/** Who Vigil acts as when it runs an action by itself. */
export const AUTO_ACTOR = 'vigil:auto';
const MAX_OFFERS = 5;
const ACTIVE: ReadonlySet<Incident['status']> = new Set(['open', 'acknowledged']);

export interface RemediationService {
  /** Actions the incident's card offers now. */
  offers(incident: Incident): RemediationOffer[];
  /** Lines for the card: the requests made on this incident and their state. */
  stateLines(incidentId: string): string[];
  request(input: { incidentId: string; actionId: string; target: string; user: string }): Promise<Outcome>;
  approve(input: { requestId: string; user: string }): Promise<Outcome>;
  reject(input: { requestId: string; user: string; reason: string }): Promise<Outcome>;
  /** Whether `user` may decide this request at all (before Vigil opens the reject dialog). */
  mayDecide(requestId: string, user: string): Promise<Outcome>;
  /** Marks requests past their expiry as expired; returns how many. */
  expireDue(): Promise<number>;
  /** At start: a request left `executing` by a crash is marked for a human, never re-run. */
  recoverInterrupted(): Promise<number>;
  /** Runs actions marked `auto` for these incidents, when remediation.auto_enabled allows it. */
  autoRemediate(incidentIds: Iterable<string>): Promise<Outcome[]>;
}

export function createRemediationService(deps: RemediationDeps): RemediationService {
  const { config, repo, logger } = deps;
  const newId = deps.newId ?? (() => `RQ-${randomBytes(4).toString('hex').toUpperCase()}`);
  const serviceConfig = new Map(deps.services.map((s) => [s.name, s]));
  const actionById = new Map(config.actions.map((a) => [a.id, a]));
  const iso = () => deps.now().toISOString();

  const contextFor = (incident: Incident, target: string): TemplateContext => {
    const service = serviceConfig.get(target);
    return {
      service: target,
      namespace: service?.namespace ?? incident.namespace,
      deployment: service?.deployment ?? target,
      team: service?.team ?? incident.team,
      incident_id: incident.id,
      severity: incident.severity,
    };
  };

  const audit = (
    request: Pick<RemediationRequest, 'id' | 'incident_id' | 'action_id' | 'target'> | null,
    actor: string,
    event: string,
    outcome: string,
    params?: unknown,
  ) =>
    repo.audit({
      at: iso(),
      request_id: request?.id || null,
      incident_id: request?.incident_id ?? null,
      action_id: request?.action_id ?? null,
      target: request?.target ?? null,
      actor,
      event,
      params_json: params === undefined ? null : JSON.stringify(params),
      outcome,
    });

  /** Open when the action's last `failures` real runs all failed and the latest is recent. */
  const breakerOpen = (actionId: string): boolean => {
    const { failures, reset_seconds } = config.circuit_breaker;
    const recent = repo.recentOutcomes(actionId, failures);
    if (recent.length < failures || recent.some((r) => r.status === 'succeeded')) return false;
    const last = recent[0]?.finished_at;
    return last !== null && last !== undefined && deps.now().getTime() - Date.parse(last) < reset_seconds * 1000;
  };

  /** Why this request may not start now (cooldown, rate limit, breaker), or null. Dry runs change nothing, so only the breaker holds them. */
  const guardRefusal = (request: RemediationRequest, action: ActionConfig): string | null => {
    if (breakerOpen(action.id)) {
      return `${action.title} failed ${config.circuit_breaker.failures} times in a row; it is held back until a run succeeds or ${Math.round(config.circuit_breaker.reset_seconds / 60)} min pass`;
    }
    if (request.dry_run) return null;
    const last = repo.lastStart(action.id, request.target);
    if (last && deps.now().getTime() - Date.parse(last) < action.cooldown_seconds * 1000) {
      const until = new Date(Date.parse(last) + action.cooldown_seconds * 1000).toISOString();
      return `${action.title} already ran on ${request.target} at ${last.slice(11, 16)} UTC; cooldown until ${until.slice(11, 16)} UTC`;
    }
    const since = new Date(deps.now().getTime() - config.rate_limit.window_seconds * 1000).toISOString();
    if (repo.startsSince(since) >= config.rate_limit.max_executions) {
      return `rate limit: ${config.rate_limit.max_executions} actions ran in the last ${Math.round(config.rate_limit.window_seconds / 60)} min`;
    }
    return null;
  };

  const isApprover = async (action: ActionConfig, user: string): Promise<boolean> => {
    if (action.approvers.users.includes(user)) return true;
    for (const group of action.approvers.groups) {
      if ((await deps.groupMembers(group)).has(user)) return true;
    }
    return false;
  };

  const titleOf = (request: RemediationRequest) => actionById.get(request.action_id)?.title ?? request.action_id;

  const viewOf = (request: RemediationRequest) => ({
    request,
    title: titleOf(request),
    approvers: actionById.get(request.action_id)?.approvers ?? { users: [], groups: [] },
  });

  /** Brings the thread message and the card in line with the stored request. Never throws. */
  const tell = async (requestId: string, reply?: string) => {
    const request = repo.get(requestId);
    if (!request) return;
    try {
      if (deps.notifier && request.slack) {
        await deps.notifier.update(request.slack.channel, request.slack.ts, buildRequestMessage(viewOf(request)));
      }
      // Replies go to the card's thread (its parent message), where the request was posted.
      const card = deps.incident(request.incident_id)?.slack;
      if (deps.notifier && reply && card) await deps.notifier.reply(card.channel, card.ts, reply);
    } catch (error) {
      logger.warn({ err: error, request_id: requestId }, 'could not update the remediation message in Slack');
    }
    try {
      await deps.republish(request.incident_id);
    } catch (error) {
      logger.warn({ err: error, request_id: requestId }, 'could not update the incident card');
    }
  };

  /** Claims an approved request and runs it. Only the caller whose claim succeeded gets here. */
  const run = async (request: RemediationRequest, action: ActionConfig): Promise<Outcome> => {
    const log = logger.child({ request_id: request.id, action_id: action.id, target: request.target });
    const started = Date.now();
    let status: 'succeeded' | 'failed';
    let result: string | undefined;
    let error: string | undefined;
    if (request.dry_run) {
      status = 'succeeded';
      result = `Dry run: nothing was sent. Would have run: ${deps.executor.describe(request.params).split('\n')[0]}`;
    } else {
      try {
        result = await deps.executor.execute(request.params, {
          requestId: request.id,
          approvedBy: request.decided_by ?? 'unknown',
        });
        status = 'succeeded';
      } catch (e) {
        status = 'failed';
        // A target's answer is shown as it is; anything else is a bug here, logged with its stack.
        error = e instanceof ExecutionError ? e.message : `Vigil could not run it: ${errorMessage(e)}`;
        if (!(e instanceof ExecutionError)) log.error({ err: e }, 'remediation failed unexpectedly');
      }
    }
    const duration = Date.now() - started;
    repo.transition(request.id, ['executing'], status, {
      finished_at: iso(),
      duration_ms: duration,
      ...(result !== undefined ? { result } : {}),
      ...(error !== undefined ? { error } : {}),
    });
    audit(request, request.decided_by ?? 'unknown', status, result ?? error ?? '', request.params);
    log.info({ status, duration_ms: duration, dry_run: request.dry_run }, 'remediation finished');
    const finished = repo.get(request.id) as RemediationRequest;
    await tell(request.id, resultText(finished, action.title, deps.executor.describe(request.params)));
    return {
      ok: status === 'succeeded',
      message:
        status === 'succeeded'
          ? `${action.title} on ${request.target}: ${result}`
          : `${action.title} on ${request.target} failed: ${error}`,
    };
  };

  /** Decides and claims in one transaction: checks and the claim cannot be split by another click. */
  const decideAndClaim = (request: RemediationRequest, action: ActionConfig, approver: string): Outcome | null => {
    return repo.atomically(() => {
      const current = repo.get(request.id);
      if (!current || current.status !== 'proposed') return alreadyDecided(current ?? request);
      // Checked again here: the approver's group lookup may have taken the request past its expiry.
      if (expireIfDue(current)) return alreadyDecided(repo.get(current.id) ?? current);
      const refusal = guardRefusal(current, action);
      if (refusal) {
        audit(current, approver, 'refused', refusal);
        return { ok: false, message: `Not run: ${refusal}.` };
      }
      const at = iso();
      if (!repo.transition(current.id, ['proposed'], 'approved', { decided_by: approver, decided_at: at })) {
        return alreadyDecided(repo.get(current.id) ?? current);
      }
      repo.transition(current.id, ['approved'], 'executing', { started_at: at });
      audit(current, approver, approver === AUTO_ACTOR ? 'auto_approved' : 'approved', '', current.params);
      audit(current, approver, 'executing', current.dry_run ? 'dry run' : '', current.params);
      return null;
    });
  };

  const alreadyDecided = (request: RemediationRequest): Outcome => {
    const by = request.decided_by
      ? ` by ${request.decided_by === AUTO_ACTOR ? 'Vigil' : `<@${request.decided_by}>`}`
      : '';
    switch (request.status) {
      case 'approved':
      case 'executing':
        return { ok: false, message: `${request.id} was already approved${by}; it is running.` };
      case 'succeeded':
      case 'failed':
        return { ok: false, message: `${request.id} was already approved${by} and has ${request.status}.` };
      case 'rejected':
        return { ok: false, message: `${request.id} was rejected${by}.` };
      case 'expired':
        return {
          ok: false,
          message: `${request.id} expired at ${request.expires_at.slice(11, 16)} UTC; request it again if it is still needed.`,
        };
      case 'needs_attention':
        return { ok: false, message: `${request.id} was interrupted and needs a human; it will not run again.` };
      default:
        return { ok: false, message: `${request.id} is ${request.status}.` };
    }
  };

  const expireIfDue = (request: RemediationRequest): boolean => {
    if (request.status !== 'proposed' || Date.parse(request.expires_at) > deps.now().getTime()) return false;
    if (repo.transition(request.id, ['proposed'], 'expired'))
      audit(request, 'vigil', 'expired', 'not approved in time');
    return true;
  };

  /** The request if it still waits for a decision; otherwise what to tell the clicker (expiring it if due). */
  const stillOpen = async (requestId: string): Promise<{ request: RemediationRequest } | Outcome> => {
    const request = repo.get(requestId);
    if (!request) return { ok: false, message: 'Unknown request.' };
    if (request.status !== 'proposed') return alreadyDecided(request);
    if (expireIfDue(request)) {
      await tell(request.id);
      return alreadyDecided(repo.get(request.id) ?? request);
    }
    return { request };
  };

  const createRequest = async (
    incident: Incident,
    action: ActionConfig,
    target: string,
    user: string,
  ): Promise<{ outcome: Outcome; request?: RemediationRequest }> => {
    const rendered = renderAction(action, contextFor(incident, target), config);
    if (!rendered.ok) {
      audit({ id: '', incident_id: incident.id, action_id: action.id, target }, user, 'refused', rendered.message);
      return { outcome: { ok: false, message: `${action.title} cannot run on ${target}: ${rendered.message}.` } };
    }
    const live = repo.liveFor(action.id, target);
    if (live) {
      return {
        outcome: {
          ok: false,
          message: `${action.title} on ${target} is already requested (${live.id}, ${live.status}) — see the thread.`,
        },
      };
    }
    let preview: string;
    try {
      preview = config.dry_run
        ? `${deps.executor.describe(rendered.params)}\n(dry-run mode: this will not be sent)`
        : await deps.executor.preview(rendered.params);
    } catch (error) {
      const message = errorMessage(error);
      audit(
        { id: '', incident_id: incident.id, action_id: action.id, target },
        user,
        'refused',
        `preview failed: ${message}`,
        rendered.params,
      );
      return {
        outcome: {
          ok: false,
          message: `The dry run of ${action.title} on ${target} failed, so nothing was requested: ${message}`,
        },
      };
    }
    const requestedAt = deps.now();
    const { created, request } = repo.insert({
      id: newId(),
      incident_id: incident.id,
      action_id: action.id,
      kind: rendered.params.kind,
      target,
      params: rendered.params,
      risk: action.risk,
      status: 'proposed',
      dry_run: config.dry_run,
      idempotency_key: `${incident.id}/${action.id}/${target}`,
      requested_by: user,
      requested_at: requestedAt.toISOString(),
      expires_at: new Date(requestedAt.getTime() + config.request_ttl_seconds * 1000).toISOString(),
      preview,
    });
    if (!created) {
      return {
        outcome: {
          ok: false,
          message: `${action.title} on ${target} is already requested (${request.id}, ${request.status}).`,
        },
      };
    }
    audit(request, user, 'requested', '', request.params);
    logger.info({ request_id: request.id, action_id: action.id, target, user }, 'remediation requested');
    return { outcome: { ok: true, message: `Requested ${action.title} on ${target} (${request.id}).` }, request };
  };

  const postRequest = async (request: RemediationRequest, incident: Incident): Promise<string | null> => {
    if (!deps.notifier || !incident.slack) return null;
    try {
      const { ts } = await deps.notifier.post(
        incident.slack.channel,
        incident.slack.ts,
        buildRequestMessage(viewOf(request)),
      );
      repo.setMessage(request.id, incident.slack.channel, ts);
      return null;
    } catch (error) {
      logger.error({ err: error, request_id: request.id }, 'could not post the remediation request in Slack');
      return errorMessage(error);
    }
  };

  return {
    offers(incident) {
      if (!config.enabled || !ACTIVE.has(incident.status)) return [];
      const services = [
        incident.hypothesis.probable_starting_service,
        ...incident.services.filter((s) => s !== incident.hypothesis.probable_starting_service),
      ].filter((s) => incident.services.includes(s));
      const offers: RemediationOffer[] = [];
      const available = config.actions.filter((action) => !breakerOpen(action.id));
      // The probable starting service's actions first: the cap should cut the least likely targets.
      for (const target of services) {
        for (const action of available) {
          if (!inScope(action, target)) continue;
          const rendered = renderAction(action, contextFor(incident, target), config);
          if (!rendered.ok) continue;
          offers.push({
            actionId: action.id,
            title: action.title,
            target,
            risk: action.risk,
            what: deps.executor.describe(rendered.params),
            dryRun: config.dry_run,
            value: JSON.stringify({ incident: incident.id, action: action.id, target }),
          });
        }
      }
      return offers.slice(0, MAX_OFFERS);
    },

    stateLines(incidentId) {
      return repo
        .forIncident(incidentId)
        .slice(-5)
        .map((r) => requestStateLine(r, titleOf(r)));
    },

    async request({ incidentId, actionId, target, user }) {
      if (!config.enabled) return { ok: false, message: 'Remediation is switched off (remediation.enabled: false).' };
      const action = actionById.get(actionId);
      const incident = deps.incident(incidentId);
      if (!action || !incident) return { ok: false, message: 'That action or incident no longer exists.' };
      if (!ACTIVE.has(incident.status)) {
        return { ok: false, message: `${incident.id} is ${incident.status}; actions run only on open incidents.` };
      }
      if (!incident.services.includes(target) || !inScope(action, target)) {
        audit(
          { id: '', incident_id: incident.id, action_id: action.id, target },
          user,
          'refused',
          'target not allowed',
        );
        return { ok: false, message: `${action.title} is not allowed on ${target} for ${incident.id}.` };
      }
      if (breakerOpen(action.id)) {
        return {
          ok: false,
          message: `${action.title} is held back after ${config.circuit_breaker.failures} failures in a row.`,
        };
      }
      const { outcome, request } = await createRequest(incident, action, target, user);
      if (!request) return outcome;
      const postError = await postRequest(request, incident);
      await tell(request.id);
      return postError
        ? {
            ok: false,
            message: `${request.id} is stored but Slack did not take the request message (${postError}); it expires unapproved.`,
          }
        : { ok: true, message: `${outcome.message} It waits in the thread for an approver.` };
    },

    async approve({ requestId, user }) {
      const open = await stillOpen(requestId);
      if ('message' in open) return open;
      const { request } = open;
      const action = actionById.get(request.action_id);
      if (!action) return { ok: false, message: `${request.action_id} is no longer in the allow-list; it cannot run.` };
      if (!config.enabled) return { ok: false, message: 'Remediation is switched off (remediation.enabled: false).' };
      let allowed: boolean;
      try {
        allowed = await isApprover(action, user);
      } catch (error) {
        logger.warn({ err: error, request_id: request.id }, 'could not check user group membership');
        return {
          ok: false,
          message: 'Slack could not confirm your user group membership; nothing was approved. Try again.',
        };
      }
      if (!allowed) {
        audit(request, user, 'refused', 'not an approver');
        return { ok: false, message: `You are not allowed to approve ${action.title}; nothing changed.` };
      }
      if (action.risk === 'high' && user === request.requested_by) {
        audit(request, user, 'refused', 'requester cannot approve a high-risk action');
        return {
          ok: false,
          message: `${action.title} is high risk: someone other than the requester must approve it (two-person rule).`,
        };
      }
      const refused = decideAndClaim(request, action, user);
      if (refused) return refused;
      await tell(request.id);
      return run(repo.get(request.id) as RemediationRequest, action);
    },

    async reject({ requestId, user, reason }) {
      const check = await this.mayDecide(requestId, user);
      if (!check.ok) return check;
      const request = repo.get(requestId) as RemediationRequest;
      if (!repo.transition(request.id, ['proposed'], 'rejected', { decided_by: user, decided_at: iso(), reason })) {
        return alreadyDecided(repo.get(request.id) ?? request);
      }
      audit(request, user, 'rejected', reason);
      await tell(request.id);
      return { ok: true, message: `Rejected ${request.id}.` };
    },

    async mayDecide(requestId, user) {
      const open = await stillOpen(requestId);
      if ('message' in open) return open;
      const { request } = open;
      const action = actionById.get(request.action_id);
      // The requester may always withdraw their own request.
      if (user === request.requested_by) return { ok: true, message: '' };
      try {
        if (action && (await isApprover(action, user))) return { ok: true, message: '' };
      } catch {
        return { ok: false, message: 'Slack could not confirm your user group membership; try again.' };
      }
      audit(request, user, 'refused', 'not an approver (reject)');
      return { ok: false, message: 'Only an approver or the requester can reject this request; nothing changed.' };
    },

    async expireDue() {
      let n = 0;
      for (const request of repo.withStatus('proposed')) {
        if (expireIfDue(request)) {
          n += 1;
          await tell(request.id);
        }
      }
      return n;
    },

    async recoverInterrupted() {
      const stuck = [...repo.withStatus('executing'), ...repo.withStatus('approved')];
      for (const request of stuck) {
        const error =
          'Vigil stopped while this action was running. It was NOT run again: check the target by hand, then resolve or request it again.';
        if (!repo.transition(request.id, ['executing', 'approved'], 'needs_attention', { finished_at: iso(), error }))
          continue;
        audit(request, 'vigil', 'needs_attention', 'found executing at start-up', request.params);
        logger.warn(
          { request_id: request.id, action_id: request.action_id, target: request.target },
          'remediation interrupted; marked for a human',
        );
        await tell(
          request.id,
          `:warning: ${titleOf(request)} on *${request.target}* (${request.id}) was interrupted by a Vigil restart and was *not* run again. Please check ${request.target} by hand.`,
        );
      }
      return stuck.length;
    },

    async autoRemediate(incidentIds) {
      if (!config.enabled || !config.auto_enabled) return [];
      const outcomes: Outcome[] = [];
      for (const id of new Set(incidentIds)) {
        const incident = deps.incident(id);
        if (!incident || !ACTIVE.has(incident.status) || incident.pending) continue;
        const target = incident.hypothesis.probable_starting_service;
        for (const action of config.actions) {
          if (!action.auto || !inScope(action, target) || !incident.services.includes(target)) continue;
          if (breakerOpen(action.id)) continue;
          const last = repo.lastStart(action.id, target);
          // Within its cooldown an automatic action is not even proposed: nobody asked for it.
          if (last && deps.now().getTime() - Date.parse(last) < action.cooldown_seconds * 1000) continue;
          const { request } = await createRequest(incident, action, target, AUTO_ACTOR);
          if (!request) continue;
          await postRequest(request, incident);
          const refused = decideAndClaim(request, action, AUTO_ACTOR);
          if (refused) {
            // Held by a guard: the request stays open for a human to approve or let expire.
            await tell(request.id);
            outcomes.push(refused);
            continue;
          }
          await tell(request.id);
          outcomes.push(await run(repo.get(request.id) as RemediationRequest, action));
        }
      }
      return outcomes;
    },
  };
}
