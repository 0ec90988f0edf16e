import type { PageProps } from '../app.js';
import { enc } from '../api/http.js';
import type { ModelSummary, Rollout } from '../api/types.js';
import { Badge, Loading, TableWrap } from '../components/bits.js';
import { PageTitle } from '../components/page-title.js';
import { ProblemBox } from '../components/problem-box.js';
import { usePoll } from '../components/use-poll.js';
import { time } from '../logic/format.js';
import { isActive, stepLabel } from '../logic/rollout-view.js';
import { href } from '../logic/routes.js';

/** Every model's rollouts, the active ones first. */
export function RolloutsPage({ api }: PageProps) {
  const all = usePoll(
    async () => {
      const { models } = await api.get<{ models: ModelSummary[] }>('/v1/models');
      const lists = await Promise.all(
        models.map(
          async (m) =>
            (await api.get<{ rollouts: Rollout[] }>(`/v1/models/${enc(m.name)}/rollouts`)).rollouts,
        ),
      );
      return lists
        .flat()
        .sort(
          (a, b) =>
            Number(isActive(b.state)) - Number(isActive(a.state)) || b.created_at.localeCompare(a.created_at),
        );
    },
    3000,
    [],
  );
  return (
    <>
      <PageTitle text="Rollouts" />
      {all.problem && <ProblemBox problem={all.problem} context="Rollouts" />}
      {!all.data ? (
        all.loading && <Loading what="rollouts" />
      ) : all.data.length === 0 ? (
        <p>No rollout yet. Start one from a model's page.</p>
      ) : (
        <TableWrap label="Rollouts">
          <table>
            <thead>
              <tr>
                <th scope="col">Rollout</th>
                <th scope="col">Model</th>
                <th scope="col">Versions</th>
                <th scope="col">Strategy</th>
                <th scope="col">State</th>
                <th scope="col">Step</th>
                <th scope="col">Started</th>
                <th scope="col">Ended</th>
              </tr>
            </thead>
            <tbody>
              {all.data.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <a href={href.rollout(r.id)}>{r.id}</a>
                  </th>
                  <td>
                    <a href={href.model(r.model)}>{r.model}</a>
                  </td>
                  <td>
                    {r.baseline} → {r.candidate}
                  </td>
                  <td>{r.strategy}</td>
                  <td>
                    <Badge value={r.state} />
                  </td>
                  <td>
                    {isActive(r.state)
                      ? `step ${r.step_index} of 0–${r.steps.length - 1}: ${stepLabel(r.current_step)}`
                      : '–'}
                  </td>
                  <td>{time(r.created_at)}</td>
                  <td>{time(r.ended_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}
