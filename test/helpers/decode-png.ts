/**
 * A small PNG reader for tests: the IHDR size, and the pixels of an 8-bit RGB or RGBA,
 * non-interlaced image (what resvg writes), undoing the five scanline filters of the PNG spec
 * (https://www.w3.org/TR/png/#9Filters). Not a general decoder: anything else is an error.
 */
import { inflateSync } from 'node:zlib';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface DecodedPng {
  width: number;
  height: number;
  /** RGBA, row by row. */
  rgba: Uint8Array;
  pixel(x: number, y: number): [number, number, number, number];
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export function readPngSize(png: Buffer): { width: number; height: number } {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG: bad signature');
  if (png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG: the first chunk is not IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

export function decodePng(png: Buffer): DecodedPng {
  const { width, height } = readPngSize(png);
  const bitDepth = png[24];
  const colourType = png[25];
  const interlace = png[28];
  if (bitDepth !== 8 || (colourType !== 6 && colourType !== 2) || interlace !== 0)
    throw new Error(`unsupported PNG: depth ${bitDepth}, colour type ${colourType}, interlace ${interlace}`);
  const channels = colourType === 6 ? 4 : 3;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  const data = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const raw = new Uint8Array(height * stride);
  for (let y = 0; y < height; y += 1) {
    const filter = data[y * (stride + 1)] as number;
    const line = data.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i += 1) {
      const a = i >= channels ? (raw[y * stride + i - channels] as number) : 0;
      const b = y > 0 ? (raw[(y - 1) * stride + i] as number) : 0;
      const c = y > 0 && i >= channels ? (raw[(y - 1) * stride + i - channels] as number) : 0;
      const x = line[i] as number;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      if (predictor === undefined) throw new Error(`bad PNG filter ${filter}`);
      raw[y * stride + i] = (x + predictor) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p += 1) {
    rgba[p * 4] = raw[p * channels] as number;
    rgba[p * 4 + 1] = raw[p * channels + 1] as number;
    rgba[p * 4 + 2] = raw[p * channels + 2] as number;
    rgba[p * 4 + 3] = channels === 4 ? (raw[p * channels + 3] as number) : 255;
  }
  return {
    width,
    height,
    rgba,
    pixel: (x, y) => {
      const at = (Math.round(y) * width + Math.round(x)) * 4;
      return [rgba[at] as number, rgba[at + 1] as number, rgba[at + 2] as number, rgba[at + 3] as number];
    },
  };
}

/** `#rrggbb` as numbers. */
export function rgbOf(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** Whether some pixel in the box around (x, y) has this colour (within `tolerance` per channel: antialiasing). */
export function colourNear(image: DecodedPng, x: number, y: number, hex: string, radius = 2, tolerance = 12): boolean {
  const [r, g, b] = rgbOf(hex);
  for (let dy = -radius; dy <= radius; dy += 1)
    for (let dx = -radius; dx <= radius; dx += 1) {
      const px = Math.round(x + dx);
      const py = Math.round(y + dy);
      if (px < 0 || py < 0 || px >= image.width || py >= image.height) continue;
      const [pr, pg, pb] = image.pixel(px, py);
      if (Math.abs(pr - r) <= tolerance && Math.abs(pg - g) <= tolerance && Math.abs(pb - b) <= tolerance) return true;
    }
  return false;
}

/** How many pixels in a rectangle have this colour. */
export function countColour(
  image: DecodedPng,
  box: { x0: number; y0: number; x1: number; y1: number },
  hex: string,
  tolerance = 12,
): number {
  const [r, g, b] = rgbOf(hex);
  let count = 0;
  for (let y = Math.max(0, Math.floor(box.y0)); y < Math.min(image.height, Math.ceil(box.y1)); y += 1)
    for (let x = Math.max(0, Math.floor(box.x0)); x < Math.min(image.width, Math.ceil(box.x1)); x += 1) {
      const [pr, pg, pb] = image.pixel(x, y);
      if (Math.abs(pr - r) <= tolerance && Math.abs(pg - g) <= tolerance && Math.abs(pb - b) <= tolerance) count += 1;
    }
  return count;
}
