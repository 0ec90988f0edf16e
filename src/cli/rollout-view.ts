import type { RolloutDetail } from '../client/client.js';

/**
 * Seconds for people: 5 → "5s", 75 → "1m15s", 3600 → "1h00m". Negative and fractional values are
 * floored at 0 and to whole seconds.
 */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

type Step = Record<string, unknown> | null | undefined;

const stepSeconds = (step: Step): number | undefined => {
  const d = step?.durationS ?? step?.duration;
  return typeof d === 'number' ? d : undefined;
};

function stepText(step: Step): string {
  if (!step) return 'done';
  const d = stepSeconds(step);
  const lasting = d === undefined ? '' : ` for ${formatSeconds(d)}`;
  if (step.type === 'canary') return `canary ${String(step.weight)}%${lasting}`;
  if (step.type === 'shadow') return `shadow ${String(step.percent)}%${lasting}`;
  return String(step.type);
}

/** Time spent in the current step and time left of its duration (null: the step has none). */
export function stepClock(r: RolloutDetail, nowMs: number): { elapsedS: number; remainingS: number | null } {
  const elapsedS = Math.max(0, (nowMs - Date.parse(r.step_started_at)) / 1000);
  const d = stepSeconds(r.current_step);
  return { elapsedS, remainingS: d === undefined ? null : Math.max(0, d - elapsedS) };
}

const active = (r: RolloutDetail) => r.state === 'running' || r.state === 'paused';

/**
 * Requests each judged arm has had in this step against what the analysis needs: "waiting for
 * traffic: 12/100 requests on the candidate, 88/100 on stable" until both have enough. In a
 * shadow step the candidate's count is its shadow comparisons; at 100% only the candidate is
 * judged on this step's traffic.
 */
export function trafficText(r: RolloutDetail): string | undefined {
  const step = r.current_step;
  if (!active(r) || !r.window || (step?.type !== 'canary' && step?.type !== 'shadow')) return undefined;
  const min = r.min_requests;
  const shadow = step.type === 'shadow';
  const candidate = (shadow ? r.window.candidate.shadowCompared : r.window.candidate.requests) ?? 0;
  const stable = r.window.stable.requests ?? 0;
  const judgeStable = step.weight !== 100;
  const unit = shadow ? 'shadow comparisons' : 'requests on the candidate';
  const arms = `${candidate}/${min} ${unit}` + (judgeStable ? `, ${stable}/${min} on stable` : '');
  const waiting = candidate < min || (judgeStable && stable < min);
  return waiting ? `waiting for traffic: ${arms}` : `traffic: ${arms}: enough to judge`;
}

/** A person's view of a rollout: progress over the steps, time in the step, live window, decisions. */
export function renderRollout(r: RolloutDetail, nowMs: number): string {
  const total = r.steps.length;
  const done = Math.min(r.step_index, total);
  const bar = r.steps
    .map((_, i) => (i < done ? '#' : i === done && r.state === 'running' ? '>' : '.'))
    .join('');
  let now: string = r.state;
  if (active(r)) {
    const { elapsedS, remainingS } = stepClock(r, nowMs);
    now =
      `${stepText(r.current_step)}${r.state === 'paused' ? ' (paused)' : ''}: ${formatSeconds(elapsedS)} elapsed` +
      (remainingS === null ? '' : `, ${formatSeconds(remainingS)} left`);
  }
  const lines = [
    `rollout ${r.id}: ${r.model} ${r.baseline} -> ${r.candidate} (${r.strategy})`,
    `state: ${r.state}${r.reason ? ` - ${r.reason}` : ''}`,
    `steps: [${bar}] ${done}/${total}; now: ${now}`,
  ];
  const traffic = trafficText(r);
  if (traffic) lines.push(traffic);
  if (r.window) {
    const s = r.window.stable;
    const c = r.window.candidate;
    lines.push(
      `window: stable ${s.requests ?? 0} requests, ${s.errors ?? 0} errors | candidate ${c.requests ?? 0} requests, ${c.errors ?? 0} errors` +
        (c.shadowCompared ? `, shadow agreement ${c.shadowAgreed}/${c.shadowCompared}` : ''),
    );
  }
  for (const d of (r.decisions ?? []).slice(0, 5)) {
    lines.push(`  ${d.at} step ${d.step_index} look ${d.look}: ${d.verdict} -> ${d.action}`);
    for (const c of d.checks) lines.push(`      ${c.name}: ${c.verdict} (${c.reason})`);
  }
  return lines.join('\n');
}
