/**
 * A fetch for an https backend signed by a private CA, or one whose certificate is not checked.
 * Node's global fetch cannot take a CA without undici's Agent, which Node does not export; this is
 * node:https with its own Agent behind the subset of fetch the backend clients use (a URL, method,
 * headers, a string or form body, an AbortSignal), so the clients keep one code path. A redirect is
 * not followed but answered as is: a request that carries credentials is not replayed elsewhere.
 */
import { Agent, request } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { HttpFetch } from './resolve-http-connection.js';

export interface TlsFetchOptions {
  /** PEM of the CA(s) trusted in addition to Node's built-in roots. */
  ca?: string;
  /** false only for insecure_skip_verify. */
  rejectUnauthorized: boolean;
}

// Statuses whose Response must have a null body (fetch spec), else `new Response` throws.
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

export function createTlsFetch(options: TlsFetchOptions): HttpFetch {
  const agent = new Agent({
    keepAlive: true,
    rejectUnauthorized: options.rejectUnauthorized,
    // `ca` replaces Node's roots: keep them, so a public certificate still verifies.
    ...(options.ca ? { ca: [...rootCertificates, options.ca] } : {}),
  });
  return (url, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      // Rejecting with the signal's reason (a TimeoutError DOMException) is what fetch does.
      if (signal?.aborted) return reject(signal.reason);
      const target = new URL(String(url));
      if (target.protocol !== 'https:') return reject(new TypeError(`fetch failed: ${target.protocol} URL with tls`));
      let body: string | undefined;
      if (typeof init.body === 'string') body = init.body;
      else if (init.body instanceof URLSearchParams) body = init.body.toString();
      else if (init.body != null) return reject(new TypeError('createTlsFetch sends string or form bodies only'));
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, name) => {
        headers[name] = value;
      });
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const req = request(target, { method: init.method ?? 'GET', headers, agent });
      const onAbort = () => {
        req.destroy();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      // Shaped like fetch's rejection, so callers read the reason from `cause` either way.
      req.on('error', (error) => {
        done();
        reject(new TypeError('fetch failed', { cause: error }));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => {
          done();
          reject(new TypeError('fetch failed', { cause: error }));
        });
        res.on('end', () => {
          done();
          const status = res.statusCode ?? 0;
          const responseHeaders = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            responseHeaders.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
          }
          try {
            resolve(
              new Response(NULL_BODY_STATUS.has(status) ? null : Buffer.concat(chunks), {
                status,
                statusText: res.statusMessage ?? '',
                headers: responseHeaders,
              }),
            );
          } catch (error) {
            reject(new TypeError('fetch failed', { cause: error }));
          }
        });
      });
      req.end(body);
    });
}
