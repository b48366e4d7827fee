/**
 * Doubles in one slab: 512 KB, above glibc's mmap threshold (the Deployment's 64 KiB, and the
 * default's 128 KiB), so a slab is a mapping of its own that goes back to the system whole when
 * the last column in it is dropped.
 */
const SLAB_DOUBLES = 65_536;

/**
 * Hands out the columns of one batch (a range answer) as views of a few large arrays rather than
 * as an array of its own each. A typed array of more than 64 bytes has its own malloc'd backing
 * store: a first cycle at 10 000 series made 20 000 of ~1 KB, a recalibration two per series for
 * each of its answers, freed a cycle later among long-lived allocations, which left holes in
 * malloc's heap that stay resident (at 10 000 series, malloc_trim at the end of a recalibration
 * gave 27 MB back). A view keeps its whole slab alive: for columns dropped with their batch.
 */
export function createColumnSlabs(slabDoubles = SLAB_DOUBLES): (length: number) => Float64Array {
  let slab = new Float64Array(0);
  let used = 0;
  return (length) => {
    if (length === 0) return new Float64Array(0);
    if (used + length > slab.length) {
      // A fresh mapping is zero without being touched: what a batch leaves unused costs no memory.
      slab = new Float64Array(Math.max(slabDoubles, length));
      used = 0;
    }
    const column = slab.subarray(used, used + length);
    used += length;
    return column;
  };
}
