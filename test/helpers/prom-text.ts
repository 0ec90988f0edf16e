/** A small reader of the Prometheus text format for assertions: sample values by name and labels. */
export interface Samples {
  value(name: string, labels?: Record<string, string>): number | undefined;
  has(name: string): boolean;
}

export function parse(text: string): Samples {
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const lm of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[lm[1]!] = lm[2]!.replace(/\\(.)/g, '$1');
    }
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return {
    value(name, want = {}) {
      const found = samples.filter(
        (s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v),
      );
      if (found.length === 0) return undefined;
      return found.reduce((a, s) => a + s.value, 0);
    },
    has: (name) => samples.some((s) => s.name === name),
  };
}
