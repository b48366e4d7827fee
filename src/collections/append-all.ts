/**
 * Appends every item of `items` to `target` in place. Spreading `items` into push passes each item as
 * a call argument, and V8 refuses a call with more than ~120 000 of them (RangeError: Maximum call
 * stack size exceeded): a signal of 1 000 series × 125 points is enough. This loop has no such
 * limit and, unlike `concat`, keeps the caller's array.
 */
export function appendAll<T>(target: T[], items: readonly T[]): T[] {
  for (let i = 0; i < items.length; i += 1) target.push(items[i] as T);
  return target;
}
