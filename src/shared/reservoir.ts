/**
 * Keeps `sample` a uniform sample of the `seen` values offered so far, `value` included (Vitter's
 * algorithm R: the n-th value takes a random slot with probability size/n).
 */
export function reservoir<T>(sample: T[], seen: number, value: T, size: number, random: () => number): void {
  if (sample.length < size) sample.push(value);
  else {
    const slot = Math.floor(random() * seen);
    if (slot < size) sample[slot] = value;
  }
}
