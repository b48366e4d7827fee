/** A regex matching exactly one of `values` (each taken literally), for a PromQL `=~` matcher. */
export function regexAlternation(values: readonly string[]): string {
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}
