import { Writable } from 'node:stream';
import { createLogger, type LoggerOptions } from '../../src/logger.js';

/** Vigil's logger (its redaction included) writing each JSON line into `lines`, for tests to read. */
export function loggerInto(lines: string[], level?: LoggerOptions['level']) {
  return createLogger({
    ...(level ? { level } : {}),
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  });
}
