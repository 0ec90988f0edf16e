import { useRef, useState } from 'preact/hooks';
import type { PageProps } from '../app.js';
import { enc } from '../api/http.js';
import type { RolloutDetail } from '../api/types.js';
import { Badge, Loading } from '../components/bits.js';
import { asCount, asMs, asPct, LineChart } from '../components/charts.js';
import { useActions } from '../components/confirm.js';
import { PageTitle } from '../components/page-title.js';
import { ProblemBox } from '../components/problem-box.js';
import { useNow, usePoll } from '../components/use-poll.js';
import { appendPoint, armPoint, lookSeries, type ArmPoint } from '../logic/arm-series.js';
import { duration, pct, time } from '../logic/format.js';
import {
  availableActions,
  candidateWeight,
  isActive,
  secondsLeft,
  stepLabel,
  type RolloutAction,
} from '../logic/rollout-view.js';
import { href } from '../logic/routes.js';
import { ChecksTable, DecisionHistory } from './decisions.js';

/** A rollout, live: step, weight, time left, arms, each look's checks, history, a chart per arm. */
export function RolloutPage({ api, admin, id }: PageProps & { id: string }) {
  const series = useRef<ArmPoint[]>([]);
  const [, setPoints] = useState(0);
  const rollout = usePoll(
    async () => {
      const r = await api.get<RolloutDetail>(`/v1/rollouts/${enc(id)}`);
      // requests per arm between looks: one point per poll (the API keeps no history of them)
      series.current = appendPoint(series.current, armPoint(r, Date.now()));
      setPoints(series.current.length);
      return r;
    },
    1000,
    [id],
  );
  const now = useNow(1000);
  const actions = useActions(() => rollout.reload());
  const r = rollout.data;

  const act = (
    action: 'approve' | 'pause' | 'resume' | 'abort',
    label: string,
    what: string,
    danger = false,
  ) =>
    actions.ask({
      title: `${label} rollout ${id}`,
      what: <p>{what}</p>,
      confirmLabel: label,
      danger,
      run: () => api.act('POST', `/v1/rollouts/${enc(id)}/${action}`, {}),
      done: (x) => `Rollout ${id} is ${(x as RolloutDetail).state.replaceAll('_', ' ')}.`,
    });

  const left = r ? secondsLeft(r, now) : null;
  const points = series.current;
  return (
    <>
      <p class="crumbs">
        <a href={href.rollouts()}>Rollouts</a> /
      </p>
      <PageTitle text={`Rollout ${id}`} />
      {rollout.problem && <ProblemBox problem={rollout.problem} context={`Rollout ${id}`} />}
      {!r ? (
        rollout.loading && <Loading what="the rollout" />
      ) : (
        <>
          <p class="lead" aria-live="polite">
            <a href={href.model(r.model)}>{r.model}</a> {r.baseline} → {r.candidate} ({r.strategy}):{' '}
            <span data-testid="rollout-state">
              <Badge value={r.state} />
            </span>
            {r.reason ? <span class="text"> — {r.reason}</span> : null}
          </p>
          {admin && availableActions(r).length > 0 && (
            <div class="toolbar" role="group" aria-label="Rollout actions">
              {availableActions(r).map((a) => {
                const at = `step ${r.step_index} (${stepLabel(r.current_step)})`;
                const what: Record<RolloutAction, [string, string, boolean]> = {
                  approve: ['Approve', `The rollout continues past ${at} to the next step.`, false],
                  pause: [
                    'Pause',
                    `The rollout stays at ${at} until resumed; traffic keeps its split.`,
                    false,
                  ],
                  resume: ['Resume', `The rollout continues at ${at}, with a fresh analysis window.`, false],
                  abort: [
                    'Abort',
                    `All traffic of ${r.model} returns to ${r.baseline} at once; ${r.candidate} gets none.`,
                    true,
                  ],
                };
                const [label, text, danger] = what[a];
                return (
                  <button
                    key={a}
                    type="button"
                    class={danger ? 'danger' : a === 'approve' ? 'primary' : ''}
                    onClick={() => act(a, label, text, danger)}
                  >
                    {label}
                  </button>
                );
              })}
            </div>
          )}
          {actions.view}

          <h2>Progress</h2>
          <ol class="steps" aria-label="Steps">
            {r.steps.map((s, i) => (
              <li
                key={i}
                class={i < r.step_index ? 'done' : i === r.step_index && isActive(r.state) ? 'current' : ''}
                aria-current={i === r.step_index && isActive(r.state) ? 'step' : undefined}
              >
                {stepLabel(s)}
                {'durationS' in s ? ` · ${duration(s.durationS)}` : ''}
              </li>
            ))}
          </ol>
          <dl class="facts">
            <dt>Current step</dt>
            <dd data-testid="current-step">
              {isActive(r.state)
                ? `step ${r.step_index} of 0–${r.steps.length - 1}: ${stepLabel(r.current_step)}`
                : 'ended'}
            </dd>
            <dt>Candidate weight</dt>
            <dd data-testid="weight">{candidateWeight(r)}%</dd>
            <dt>Time left in the step</dt>
            <dd data-testid="time-left">
              {left === null ? '–' : duration(left)}
              {left === 0 ? ' (the step is over: the next conclusive look decides)' : ''}
            </dd>
            <dt>Step started</dt>
            <dd>{time(r.step_started_at)}</dd>
            <dt>Analysis every</dt>
            <dd>{duration(r.interval_seconds)}</dd>
            {r.ended_at && (
              <>
                <dt>Ended</dt>
                <dd>{time(r.ended_at)}</dd>
              </>
            )}
          </dl>

          {r.window && (
            <>
              <h2>This step's window</h2>
              <table class="arms">
                <thead>
                  <tr>
                    <th scope="col">Arm</th>
                    <th scope="col">Requests</th>
                    <th scope="col">Errors</th>
                    <th scope="col">Labelled (correct)</th>
                    <th scope="col">Shadow compared (agreed)</th>
                  </tr>
                </thead>
                <tbody>
                  {(['stable', 'candidate'] as const).map((arm) => {
                    const w = r.window![arm];
                    return (
                      <tr key={arm} data-arm={arm}>
                        <th scope="row">
                          {arm} ({arm === 'stable' ? r.baseline : r.candidate})
                        </th>
                        <td class="num" data-requests>
                          {w.requests}
                        </td>
                        <td class="num">
                          {w.errors} ({pct(w.requests > 0 ? w.errors / w.requests : null)})
                        </td>
                        <td class="num">
                          {w.labelled} ({w.correct})
                        </td>
                        <td class="num">
                          {arm === 'candidate' ? `${w.shadowCompared} (${w.shadowAgreed})` : '–'}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </>
          )}

          <h2>Arms over time</h2>
          <ArmCharts r={r} live={points} />

          <h2>Latest look</h2>
          {r.decisions[0] ? (
            <ChecksTable decision={r.decisions[0]} steps={r.steps} caption="Checks of the latest look" />
          ) : (
            <p>No analysis yet.</p>
          )}

          <h2>Decision history</h2>
          <DecisionHistory decisions={r.decisions} steps={r.steps} />
        </>
      )}
    </>
  );
}

/** Error rate and p99 latency per arm at every look, and the live requests per arm between looks. */
function ArmCharts({ r, live }: { r: RolloutDetail; live: ArmPoint[] }) {
  const looks = lookSeries(r.decisions);
  const stable = `stable ${r.baseline}`;
  const candidate = `candidate ${r.candidate}`;
  return (
    <div class="charts">
      {looks.length < 2 ? (
        <p class="muted">The error rate and latency charts start at the second analysis look.</p>
      ) : (
        <>
          <LineChart
            title="Error rate per arm, at each look"
            unit={asPct}
            series={[
              { name: stable, tone: 'stable', points: looks.map((p) => ({ t: p.t, v: p.stableErrorRate })) },
              {
                name: candidate,
                tone: 'candidate',
                points: looks.map((p) => ({ t: p.t, v: p.candidateErrorRate })),
              },
            ]}
          />
          <LineChart
            title="p99 latency per arm, at each look"
            unit={asMs}
            series={[
              { name: stable, tone: 'stable', points: looks.map((p) => ({ t: p.t, v: p.stableP99Ms })) },
              {
                name: candidate,
                tone: 'candidate',
                points: looks.map((p) => ({ t: p.t, v: p.candidateP99Ms })),
              },
            ]}
          />
        </>
      )}
      {live.length >= 2 && (
        <LineChart
          title="Requests per arm in the step's window (live)"
          unit={asCount}
          series={[
            { name: stable, tone: 'stable', points: live.map((p) => ({ t: p.t, v: p.stableRequests })) },
            {
              name: candidate,
              tone: 'candidate',
              points: live.map((p) => ({ t: p.t, v: p.candidateRequests })),
            },
          ]}
        />
      )}
    </div>
  );
}
