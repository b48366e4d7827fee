/** POSTs a JSON body to a configured URL (e.g. a CI/CD rollback hook) with a secret header. */
import type { RenderedParams } from '../render-action.js';
import { describeFetchError, ExecutionError, type Executor, shortBody } from './executor.js';

export type WebhookParams = Extract<RenderedParams, { kind: 'http.webhook' }>;

export function createWebhookExecutor(
  secretEnv: Readonly<Record<string, string | undefined>>,
  fetchImpl: typeof fetch = fetch,
): Executor<WebhookParams> {
  const describe = (params: WebhookParams) =>
    [
      `POST ${params.url}`,
      'Content-Type: application/json',
      ...(params.secret_env ? [`${params.secret_header}: <secret from $${params.secret_env}>`] : []),
      'Idempotency-Key: <request id>',
      '',
      JSON.stringify(params.body),
    ].join('\n');
  return {
    describe,
    // The receiver has no dry run we could rely on: the preview is the exact request.
    preview: async (params) => describe(params),
    async execute(params, context) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'idempotency-key': context.requestId,
        'user-agent': 'vigil-remediation',
      };
      if (params.secret_env) {
        const secret = secretEnv[params.secret_env];
        if (!secret) throw new ExecutionError(`$${params.secret_env} is not set, so the webhook was not called`);
        headers[params.secret_header.toLowerCase()] = secret;
      }
      const started = Date.now();
      let response: Response;
      let text: string;
      try {
        response = await fetchImpl(params.url, {
          method: 'POST',
          headers,
          body: JSON.stringify(params.body),
          redirect: 'error',
          signal: AbortSignal.timeout(params.timeout_ms),
        });
        text = await response.text();
      } catch (error) {
        throw describeFetchError(error, `The webhook ${new URL(params.url).host}`, params.timeout_ms);
      }
      if (!response.ok) {
        throw new ExecutionError(
          `The webhook answered ${response.status}: ${shortBody(text || response.statusText, 200)}`,
        );
      }
      return `Webhook ${new URL(params.url).host} answered ${response.status} in ${Date.now() - started} ms${text ? `: ${shortBody(text, 120)}` : ''}.`;
    },
  };
}
