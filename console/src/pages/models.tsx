import type { PageProps } from '../app.js';
import type { ModelSummary, Stats } from '../api/types.js';
import { Badge, Hash, Loading, TableWrap } from '../components/bits.js';
import { PageTitle } from '../components/page-title.js';
import { ProblemBox } from '../components/problem-box.js';
import { usePoll } from '../components/use-poll.js';
import { num, pct } from '../logic/format.js';
import { href } from '../logic/routes.js';
import { modelTraffic } from '../logic/traffic.js';

/** Every model: aliases, serving state, loaded versions with hashes, traffic from /stats. */
export function ModelsPage({ api }: PageProps) {
  const models = usePoll(
    async () => (await api.get<{ models: ModelSummary[] }>('/v1/models')).models,
    5000,
    [],
  );
  const stats = usePoll(() => api.get<Stats>('/stats'), 5000, []);
  return (
    <>
      <PageTitle text="Models" />
      {models.problem && <ProblemBox problem={models.problem} context="Models" />}
      {stats.problem && <ProblemBox problem={stats.problem} context="Traffic (/stats)" />}
      {!models.data ? (
        models.loading && <Loading what="models" />
      ) : models.data.length === 0 ? (
        <p>
          No model is registered yet. Register one with <code>modelgate models register</code>.
        </p>
      ) : (
        <TableWrap label="Models">
          <table>
            <caption>
              Models, with traffic over the last {stats.data ? `${stats.data.window_seconds} s` : '…'}
            </caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Production</th>
                <th scope="col">Staging</th>
                <th scope="col">Previous</th>
                <th scope="col">Serving</th>
                <th scope="col">Loaded versions</th>
                <th scope="col">Requests / min</th>
                <th scope="col">Error rate</th>
              </tr>
            </thead>
            <tbody>
              {models.data.map((m) => {
                const serving = stats.data?.models.find((s) => s.name === m.name);
                const traffic = stats.data ? modelTraffic(stats.data, m.name) : undefined;
                return (
                  <tr key={m.name} data-model={m.name}>
                    <th scope="row">
                      <a href={href.model(m.name)}>{m.name}</a>
                    </th>
                    <td data-alias="production">{m.aliases.production ?? '–'}</td>
                    <td data-alias="staging">{m.aliases.staging ?? '–'}</td>
                    <td data-alias="previous">{m.aliases.previous ?? '–'}</td>
                    <td>{serving ? <Badge value={serving.state} /> : '–'}</td>
                    <td>
                      {serving && serving.loaded_versions.length > 0 ? (
                        <ul class="plain">
                          {serving.loaded_versions.map((v) => (
                            <li key={v.version}>
                              {v.version} <Hash sha={v.artifact_sha256} />
                            </li>
                          ))}
                        </ul>
                      ) : (
                        '–'
                      )}
                    </td>
                    <td class="num">{traffic ? num(traffic.perMinute, 1) : '–'}</td>
                    <td class="num">{traffic ? pct(traffic.errorRate) : '–'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}
