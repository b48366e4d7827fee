/** Fixed-capacity FIFO of numbers; oldest first when read. */
export interface RollingWindow {
  readonly capacity: number;
  push(value: number): void;
  size(): number;
  values(): number[];
}

export function createRollingWindow(capacity: number, initial: readonly number[] = []): RollingWindow {
  const buffer = new Float64Array(capacity);
  let start = 0;
  let length = 0;
  const window: RollingWindow = {
    capacity,
    push(value) {
      if (length < capacity) {
        buffer[(start + length) % capacity] = value;
        length += 1;
      } else {
        buffer[start] = value;
        start = (start + 1) % capacity;
      }
    },
    size: () => length,
    values() {
      const out = new Array<number>(length);
      for (let i = 0; i < length; i += 1) out[i] = buffer[(start + i) % capacity] as number;
      return out;
    },
  };
  for (const v of initial.slice(-capacity)) window.push(v);
  return window;
}
