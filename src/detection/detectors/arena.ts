/**
 * Where a detector's arrays live. The streaming tick touches one point of thousands of series in
 * turn, so the cost is memory traffic, not arithmetic: carving all of a series' arrays out of one
 * buffer keeps them contiguous (a few kilobytes) instead of scattered over the heap.
 */
export type Allocate = (length: number) => Float64Array;

export const heapAllocate: Allocate = (length) => new Float64Array(length);

/** A bump allocator over one buffer of `capacity` numbers; falls back to the heap if it runs out. */
export function createArena(capacity: number): Allocate {
  const buffer = new ArrayBuffer(capacity * 8);
  let used = 0;
  return (length) => {
    if (used + length > capacity) return new Float64Array(length);
    const view = new Float64Array(buffer, used * 8, length);
    used += length;
    return view;
  };
}
