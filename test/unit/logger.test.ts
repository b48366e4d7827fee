/** Secrets never reach the log: pino's redaction, checked on the lines it really writes. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

describe('createLogger', () => {
  it('redacts an Authorization header however it is spelled, at the top or one level down', () => {
    const { logger, lines } = capture();
    logger.info({ headers: { Authorization: 'Bearer t0p-s3cret' } }, 'top');
    logger.info({ request: { headers: { Authorization: 'Basic dmlnaWw6cHc=' } } }, 'nested');
    logger.info({ headers: { authorization: 'Bearer l0wer-s3cret' } }, 'lower');
    const output = lines.join('');
    expect(lines).toHaveLength(3);
    for (const secret of ['t0p-s3cret', 'dmlnaWw6cHc=', 'l0wer-s3cret']) expect(output).not.toContain(secret);
    expect(output.match(/\[redacted\]/g)).toHaveLength(3);
  });
});
