import type { Pane } from './live-window.js';

/**
 * A pane as stored in `drift_windows`: JSON, with the ±Infinity of an empty numeric tally's
 * min and max (which JSON cannot hold) written as strings.
 */
export function encodePane(pane: Pane): string {
  return JSON.stringify(pane, (_k, v: unknown) =>
    v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v,
  );
}

export function decodePane(text: string): Pane {
  return JSON.parse(text, (_k, v: unknown) =>
    v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
  ) as Pane;
}
