/**
 * One series' persisted state as bytes: a 16-byte header, then the detector's doubles exactly as
 * its place holds them (see SeriesDetector.saveState), then the engine's own few numbers. Written
 * and read with copies of typed arrays: nothing is parsed or formatted per number.
 *
 *   bytes  0– 3  format version of this layout (little-endian uint32)
 *   bytes  4– 7  the detector layout's fingerprint (seriesStateLayout)
 *   bytes  8–11  detector doubles
 *   bytes 12–15  engine doubles
 *   bytes 16–    detector doubles, then engine doubles (this machine's byte order, which the
 *                fingerprint covers)
 */

/** Bump when the header or the engine's part changes meaning. */
export const SERIES_STATE_FORMAT = 2;
const HEADER_BYTES = 16;

export interface SeriesStateParts {
  detector: Float64Array;
  engine: Float64Array;
}

/** Where a blob's bytes go: `bytes` on an 8-byte boundary of its buffer. */
export type AllocateBlob = (bytes: number) => Uint8Array;

const freshBlob: AllocateBlob = (bytes) => new Uint8Array(bytes);

/**
 * Blobs carved one after another from one buffer that the next batch overwrites: for a batch that
 * is written to SQLite and dropped (SQLite copies a blob when it is bound). A recalibration saves
 * every series; each blob on its own would be garbage the size of all detector state (~1 GB at
 * 100 000 series) waiting for a collection.
 */
export function createBlobArena(initialBytes = 1 << 20): { allocate: AllocateBlob; reset(): void } {
  let buffer = new ArrayBuffer(initialBytes);
  let used = 0;
  return {
    allocate(bytes) {
      const size = (bytes + 7) & ~7;
      if (used + size > buffer.byteLength) {
        // Blobs already handed out keep the old buffer until their batch is done.
        buffer = new ArrayBuffer(Math.max(2 * buffer.byteLength, size));
        used = 0;
      }
      const blob = new Uint8Array(buffer, used, bytes);
      used += size;
      return blob;
    },
    reset() {
      used = 0;
    },
  };
}

/** A blob for this fingerprint: `writeDetector` fills the detector's part, `engine` is copied after it. */
export function encodeSeriesState(
  fingerprint: number,
  detectorDoubles: number,
  writeDetector: (into: Float64Array, at: number) => void,
  engine: Float64Array,
  allocate: AllocateBlob = freshBlob,
): Uint8Array {
  const blob = allocate(HEADER_BYTES + 8 * (detectorDoubles + engine.length));
  const header = new DataView(blob.buffer, blob.byteOffset, HEADER_BYTES);
  header.setUint32(0, SERIES_STATE_FORMAT, true);
  header.setUint32(4, fingerprint, true);
  header.setUint32(8, detectorDoubles, true);
  header.setUint32(12, engine.length, true);
  // The doubles written in place (the blob starts on an 8-byte boundary, so HEADER_BYTES on is too).
  const doubles = new Float64Array(blob.buffer, blob.byteOffset + HEADER_BYTES, detectorDoubles + engine.length);
  writeDetector(doubles, 0);
  doubles.set(engine, detectorDoubles);
  return blob;
}

/**
 * The parts of a blob written for this fingerprint and size, or why it cannot be read as such
 * (another format, other options or layout, a truncated row): that series then starts cold.
 */
export function decodeSeriesState(
  blob: Uint8Array,
  fingerprint: number,
  detectorDoubles: number,
): SeriesStateParts | { rejected: string } {
  if (blob.byteLength < HEADER_BYTES) return { rejected: `${blob.byteLength} bytes, shorter than a header` };
  const header = new DataView(blob.buffer, blob.byteOffset, HEADER_BYTES);
  const format = header.getUint32(0, true);
  if (format !== SERIES_STATE_FORMAT)
    return { rejected: `format ${format}, this version reads ${SERIES_STATE_FORMAT}` };
  const written = header.getUint32(4, true);
  if (written !== fingerprint)
    return {
      rejected: `saved under other detection options or another layout (fingerprint ${written} ≠ ${fingerprint})`,
    };
  const detector = header.getUint32(8, true);
  const engine = header.getUint32(12, true);
  if (detector !== detectorDoubles) return { rejected: `${detector} detector doubles, expected ${detectorDoubles}` };
  if (blob.byteLength !== HEADER_BYTES + 8 * (detector + engine))
    return { rejected: `${blob.byteLength} bytes, the header announces ${HEADER_BYTES + 8 * (detector + engine)}` };
  // A copy into an aligned buffer: a Buffer from SQLite may start at any byte of its pool.
  const doubles = new Float64Array(detector + engine);
  new Uint8Array(doubles.buffer).set(blob.subarray(HEADER_BYTES));
  return { detector: doubles.subarray(0, detector), engine: doubles.subarray(detector) };
}
