/**
 * A fetch for an https backend signed by a private CA, or one whose certificate is not checked.
 * Node's global fetch takes no CA, so this is undici's own fetch (the library Node's fetch is built
 * on) with an Agent that trusts the CA. A redirect is answered as is, not followed: a request that
 * carries credentials is not replayed to another host.
 */
import { rootCertificates } from 'node:tls';
import type { HttpFetch } from './resolve-http-connection.js';

export interface TlsFetchOptions {
  /** PEM of the CA(s) trusted in addition to Node's built-in roots. */
  ca?: string;
  /** false only for insecure_skip_verify. */
  rejectUnauthorized: boolean;
}

export function createTlsFetch(options: TlsFetchOptions): HttpFetch {
  // undici is imported on first use (~20 MB once loaded), by installations that set `tls` only.
  let client: Promise<{ dispatcher: import('undici').Agent; fetch: typeof import('undici').fetch }> | undefined;
  const load = () => {
    client ??= import('undici').then(({ Agent, fetch }) => ({
      fetch,
      dispatcher: new Agent({
        connect: {
          rejectUnauthorized: options.rejectUnauthorized,
          // `ca` replaces Node's roots: keep them, so a public certificate still verifies.
          ...(options.ca ? { ca: [...rootCertificates, options.ca] } : {}),
        },
      }),
    }));
    return client;
  };
  return async (url, init = {}) => {
    const { dispatcher, fetch } = await load();
    // The clients send string or form bodies and plain headers, which both fetches take alike; the
    // casts bridge the DOM lib's types and undici's declarations of the same WHATWG interfaces.
    const response = await fetch(url, {
      ...(init as unknown as Parameters<typeof fetch>[1]),
      redirect: 'manual',
      dispatcher,
    });
    return response as unknown as Response;
  };
}
