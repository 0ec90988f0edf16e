/**
 * Keeps `sample` a uniform sample of the `seen` values offered so far, `value` included (Vitter's
 * algorithm R: the n-th value takes a random slot with probability size/n). `u` is a fresh
 * uniform draw in [0, 1) for this value (unused while the sample fills).
 */
export function reservoir<T>(sample: T[], seen: number, value: T, size: number, u: number): void {
  if (sample.length < size) sample.push(value);
  else {
    const slot = Math.floor(u * seen);
    if (slot < size) sample[slot] = value;
  }
}
