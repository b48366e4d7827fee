/** Creates an Alertmanager silence (API v2) for the incident's labels, for a configured duration. */
import { z } from 'zod';
import type { HttpFetch } from '../../http/resolve-http-connection.js';
import type { RenderedParams } from '../render-action.js';
import { describeFetchError, ExecutionError, type Executor, shortBody } from './executor.js';

export type SilenceParams = Extract<RenderedParams, { kind: 'alertmanager.silence' }>;

const SilenceCreated = z.object({ silenceID: z.string().min(1) });

export interface SilenceExecutorOptions {
  url: string;
  timeoutMs: number;
  now?: () => Date;
  /** The global fetch by default; a TLS one when remediation.alertmanager.tls is set. */
  fetch?: HttpFetch;
  /** Credentials and tenant headers (remediation.alertmanager.auth...): never shown or logged. */
  headers?: Readonly<Record<string, string>>;
}

export function createSilenceExecutor(options: SilenceExecutorOptions): Executor<SilenceParams> {
  const now = options.now ?? (() => new Date());
  const fetchImpl = options.fetch ?? fetch;
  const endpoint = new URL('api/v2/silences', options.url.endsWith('/') ? options.url : `${options.url}/`).toString();
  const silenceOf = (params: SilenceParams, createdBy: string, startsAt: Date | null) => ({
    matchers: Object.entries(params.matchers).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
    startsAt: startsAt ? startsAt.toISOString() : '<now>',
    endsAt: startsAt
      ? new Date(startsAt.getTime() + params.duration_seconds * 1000).toISOString()
      : `<now + ${Math.round(params.duration_seconds / 60)} min>`,
    createdBy,
    comment: params.comment,
  });
  const describe = (params: SilenceParams) => `POST ${endpoint}\n${JSON.stringify(silenceOf(params, 'vigil', null))}`;
  return {
    describe,
    preview: async (params) => describe(params),
    async execute(params, context) {
      let response: Response;
      let text: string;
      try {
        response = await fetchImpl(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...options.headers },
          body: JSON.stringify(silenceOf(params, `vigil (approved by ${context.approvedBy})`, now())),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        text = await response.text();
      } catch (error) {
        throw describeFetchError(error, 'Alertmanager', options.timeoutMs);
      }
      if (response.status === 401 || response.status === 403) {
        // The body is left out: an auth proxy may echo the request's headers.
        throw new ExecutionError(
          `Alertmanager refused the credentials (HTTP ${response.status}); check remediation.alertmanager.auth, ` +
            'headers and headers_env, and the environment variables they name',
        );
      }
      if (!response.ok) throw new ExecutionError(`Alertmanager answered ${response.status}: ${shortBody(text, 200)}`);
      let created: z.infer<typeof SilenceCreated>;
      try {
        created = SilenceCreated.parse(JSON.parse(text));
      } catch {
        throw new ExecutionError(`Alertmanager answered 200 without a silence id: ${shortBody(text, 120)}`);
      }
      const labels = Object.entries(params.matchers)
        .map(([k, v]) => `${k}="${v}"`)
        .join(', ');
      return `Silence ${created.silenceID} created for {${labels}}, ${Math.round(params.duration_seconds / 60)} min.`;
    },
  };
}
