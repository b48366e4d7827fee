/**
 * Joins typed-array parts into one, copying each element once: a series that arrives in several
 * query chunks is collected first and concatenated at the end, never regrown chunk by chunk.
 */
export function concatFloat64(parts: readonly Float64Array[]): Float64Array {
  if (parts.length === 1) return parts[0] as Float64Array;
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Float64Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
