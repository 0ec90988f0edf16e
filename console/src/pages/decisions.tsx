import type { Decision, Step } from '../api/types.js';
import { Badge, TableWrap } from '../components/bits.js';
import { time } from '../logic/format.js';
import { checkRow, stepLabel } from '../logic/rollout-view.js';

/** Each check of one look: value, threshold, n, p and verdict, with the judge's reason. */
export function ChecksTable({
  decision,
  steps,
  caption,
}: {
  decision: Decision;
  steps: Step[];
  caption: string;
}) {
  if (decision.checks.length === 0)
    return (
      <p>
        Step {decision.step_index} ({stepLabel(steps[decision.step_index])}), look {decision.look}:{' '}
        <Badge value={decision.verdict} /> → {decision.action} (no statistical checks in this step).
      </p>
    );
  return (
    <TableWrap label={caption}>
      <table class="checks">
        <caption>
          {caption}: step {decision.step_index} ({stepLabel(steps[decision.step_index])}), look{' '}
          {decision.look}, {time(decision.at)} — <Badge value={decision.verdict} /> → {decision.action}
        </caption>
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Verdict</th>
            <th scope="col">Candidate</th>
            <th scope="col">Baseline</th>
            <th scope="col">Threshold</th>
            <th scope="col">n</th>
            <th scope="col">p (α)</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {decision.checks.map((c) => {
            const row = checkRow(c);
            return (
              <tr key={c.name} data-check={c.name}>
                <th scope="row">{row.name}</th>
                <td>
                  <Badge value={row.verdict} />
                </td>
                <td class="num">{row.value}</td>
                <td class="num">{row.baseline}</td>
                <td>{row.threshold}</td>
                <td class="num">{row.n}</td>
                <td class="num">{row.p}</td>
                <td class="text">{row.reason}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** Every look, newest first; each opens to its checks. */
export function DecisionHistory({ decisions, steps }: { decisions: Decision[]; steps: Step[] }) {
  if (decisions.length === 0) return <p>No decision yet.</p>;
  return (
    <ol class="history">
      {decisions.map((d) => (
        <li key={d.id} data-action={d.action}>
          <details>
            <summary>
              {time(d.at)} · step {d.step_index} ({stepLabel(steps[d.step_index])}) look {d.look}:{' '}
              <Badge value={d.verdict} /> → <strong>{d.action.replaceAll('_', ' ')}</strong>
            </summary>
            <ChecksTable decision={d} steps={steps} caption={`Checks at ${time(d.at)}`} />
          </details>
        </li>
      ))}
    </ol>
  );
}
