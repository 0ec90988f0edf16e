import type { RolloutDetail } from '../client/client.js';
import type { Io } from './output.js';
import { renderRollout } from './rollout-view.js';

export interface WatchOptions {
  intervalMs: number;
  /** one JSON document per line and refresh */
  json: boolean;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** Terminal rows a text takes at this width (long lines wrap). */
export function rowsOf(text: string, columns: number): number {
  return text.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil(line.length / columns)), 0);
}

/** Cursor up `rows` lines, then clear to the end of the screen. */
export const erase = (rows: number): string => (rows > 0 ? `\x1b[${rows}A\x1b[0J` : '');

/**
 * Refreshes a rollout until it ends. On a terminal each view replaces the last one in place; in a
 * pipe each refresh is appended (with --json: one JSON document per line, for jq and friends).
 */
export async function watchRollout(
  getRollout: (id: string) => Promise<RolloutDetail>,
  id: string,
  io: Io,
  o: WatchOptions,
): Promise<RolloutDetail> {
  let drawn = 0;
  for (;;) {
    const r = await getRollout(id);
    if (o.json) io.out(JSON.stringify(r));
    else {
      const at = new Date(o.now());
      if (io.tty) {
        const frame = `${renderRollout(r, at.getTime())}\n(refreshed ${at.toISOString()}, every ${o.intervalMs / 1000} s; Ctrl-C stops watching)`;
        io.out(erase(drawn) + frame);
        drawn = rowsOf(frame, io.columns ?? 80);
      } else io.out(`\n${at.toISOString()}\n${renderRollout(r, at.getTime())}`);
    }
    if (r.state !== 'running' && r.state !== 'paused') return r;
    await o.sleep(o.intervalMs);
  }
}
