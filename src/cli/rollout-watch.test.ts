import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RolloutDetail } from '../client/client.js';
import type { Io } from './output.js';
import { renderRollout } from './rollout-view.js';
import { erase, rowsOf, watchRollout } from './rollout-watch.js';

const ESC = '\u001b';
const T0 = Date.parse('2026-11-02T12:00:00.000Z');
const steps = [{ type: 'smoke' }, { type: 'canary', weight: 30, durationS: 600 }];
const base: RolloutDetail = {
  id: 'ro_0123456789abcdef',
  model: 'm',
  candidate: '2.0.0',
  baseline: '1.0.0',
  strategy: 'canary',
  state: 'running',
  step_index: 1,
  steps,
  current_step: steps[1]!,
  step_started_at: new Date(T0).toISOString(),
  max_prediction_psi: null,
  min_requests: 100,
  reason: null,
  created_at: new Date(T0).toISOString(),
  ended_at: null,
  window: { stable: { requests: 10 }, candidate: { requests: 2 } },
  decisions: [],
};
/** A running rollout seen twice (more traffic the second time), then promoted. */
const answers = (): RolloutDetail[] => [
  base,
  { ...base, window: { stable: { requests: 60 }, candidate: { requests: 40 } } },
  { ...base, state: 'promoted', step_index: 2, current_step: null, window: null, ended_at: 'x' },
];

function run(io: Partial<Io>, json: boolean) {
  const out: string[] = [];
  const sleeps: number[] = [];
  const queue = answers();
  let now = T0;
  const done = watchRollout(
    async () => queue.shift()!,
    base.id,
    { err: () => {}, out: (t: string) => out.push(t), ...io },
    {
      intervalMs: 2000,
      json,
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    },
  );
  return { out, sleeps, done };
}

describe('watchRollout', () => {
  it('redraws in place on a terminal: each view erases the rows of the one before', async () => {
    const { out, sleeps, done } = run({ tty: true, columns: 80 }, false);
    assert.equal((await done).state, 'promoted');
    assert.deepEqual(sleeps, [2000, 2000]);
    assert.equal(out.length, 3);
    assert.ok(!out[0]!.includes(`${ESC}[`), 'the first view erases nothing');
    for (let i = 1; i < 3; i++) {
      const previous = out[i - 1]!.replace(new RegExp(`^${ESC}\\[\\d+A${ESC}\\[0J`), '');
      assert.ok(
        out[i]!.startsWith(erase(rowsOf(previous, 80))),
        `view ${i} starts by erasing ${rowsOf(previous, 80)} rows`,
      );
    }
    assert.match(
      out[1]!,
      /now: canary 30% for 10m00s: 2s elapsed, 9m58s left\nwaiting for traffic: 40\/100 requests on the candidate, 60\/100 on stable/,
    );
    assert.match(out[2]!, /now: promoted/);
  });

  it('counts wrapped lines when it erases on a narrow terminal', () => {
    assert.equal(rowsOf('a\n' + 'b'.repeat(45) + '\n', 20), 1 + 3 + 1);
    assert.equal(erase(0), '');
    assert.equal(erase(4), '\x1b[4A\x1b[0J');
  });

  it('appends timestamped views in a pipe', async () => {
    const { out, done } = run({ tty: false }, false);
    await done;
    assert.equal(out.length, 3);
    assert.equal(out[0], `\n2026-11-02T12:00:00.000Z\n${renderRollout(answers()[0]!, T0)}`);
    assert.ok(out.every((o) => !o.includes(`${ESC}[`)));
  });

  it('prints one JSON document per line with --json, terminal or not', async () => {
    for (const tty of [false, true]) {
      const { out, done } = run({ tty }, true);
      await done;
      assert.deepEqual(
        out.map((line) => {
          assert.ok(!line.includes('\n'), 'one line');
          return (JSON.parse(line) as RolloutDetail).state;
        }),
        ['running', 'running', 'promoted'],
      );
    }
  });
});
