import type { PageProps } from '../app.js';
import { enc } from '../api/http.js';
import type { Evaluation, Ready, Stats, VersionDetail } from '../api/types.js';
import { Badge, Hash, Loading, TableWrap } from '../components/bits.js';
import { PageTitle } from '../components/page-title.js';
import { ProblemBox } from '../components/problem-box.js';
import { usePoll } from '../components/use-poll.js';
import { bytes, num, pct, time } from '../logic/format.js';
import { href } from '../logic/routes.js';
import { DriftSection } from './drift.js';

/** One version: manifest, signature, evaluations, model card, readiness, smoke tests, drift. */
export function VersionPage({ api, name, version }: PageProps & { name: string; version: string }) {
  const base = `/v1/models/${enc(name)}/versions/${enc(version)}`;
  const detail = usePoll(() => api.get<VersionDetail>(base), 10_000, [base]);
  const evaluations = usePoll(
    async () => (await api.get<{ evaluations: Evaluation[] }>(`${base}/evaluations`)).evaluations,
    0,
    [base],
  );
  const card = usePoll(() => api.text(`${base}/card?format=markdown`), 0, [base]);
  const stats = usePoll(() => api.get<Stats>('/stats'), 5000, []);
  const ready = usePoll(
    async () => (await fetch('/ready', { credentials: 'omit' })).json() as Promise<Ready>,
    5000,
    [],
  );

  const v = detail.data;
  const m = v?.manifest;
  const traffic = stats.data?.versions.find((s) => s.model === name && s.version === version);
  const production = ready.data?.models.find((x) => x.name === name);
  return (
    <>
      <p class="crumbs">
        <a href={href.models()}>Models</a> / <a href={href.model(name)}>{name}</a> /
      </p>
      <PageTitle text={`${name} ${version}`} />
      {detail.problem && <ProblemBox problem={detail.problem} context={`Version ${version}`} />}
      {!v || !m ? (
        detail.loading && <Loading what="the version" />
      ) : (
        <>
          <p class="text">{m.description}</p>
          <dl class="facts">
            <dt>Display id</dt>
            <dd>{v.display_id}</dd>
            <dt>Task</dt>
            <dd>{v.task}</dd>
            <dt>Aliases</dt>
            <dd>{v.aliases.length > 0 ? v.aliases.map((a) => <Badge key={a} value={a} />) : 'none'}</dd>
            <dt>Registered</dt>
            <dd>
              {time(v.created_at)} by {v.created_by}
            </dd>
            <dt>Artifact SHA-256</dt>
            <dd>
              <code class="wrap">{v.artifact_sha256}</code>
            </dd>
            <dt>Manifest SHA-256</dt>
            <dd>
              <code class="wrap">{v.manifest_sha256}</code>
            </dd>
            <dt>Changelog</dt>
            <dd class="text">{m.changelog}</dd>
          </dl>

          <h2>Readiness</h2>
          <dl class="facts">
            <dt>Loaded</dt>
            <dd>{v.loaded ? <Badge value="loaded" /> : <Badge value="not_loaded" label="not loaded" />}</dd>
            <dt>Model serving state</dt>
            <dd>
              {production ? (
                <>
                  <Badge value={production.state} /> (production {production.version ?? 'none'})
                </>
              ) : (
                '–'
              )}
            </dd>
            <dt>Traffic ({stats.data?.window_seconds ?? '…'} s)</dt>
            <dd>
              {traffic
                ? `${traffic.requests} requests, ${pct(traffic.error_rate)} errors, p50 ${num(traffic.latency_ms.p50, 2)} ms, p99 ${num(traffic.latency_ms.p99, 2)} ms`
                : 'no requests'}
            </dd>
          </dl>

          <h2>Drift against the reference</h2>
          <DriftSection api={api} name={name} version={version} />

          <h2>Evaluations</h2>
          {evaluations.problem && <ProblemBox problem={evaluations.problem} context="Evaluations" />}
          <Evaluations offline={m.metrics} evaluations={evaluations.data} />

          <h2>Smoke tests</h2>
          {(m.smoke_tests ?? []).length === 0 ? (
            <p>None declared.</p>
          ) : (
            <ul class="plain">
              {(m.smoke_tests ?? []).map((s, i) => (
                <li key={i}>
                  <strong>{s.name ?? `test ${i + 1}`}</strong>: {Object.keys(s.input).length} inputs, expects{' '}
                  {s.expected.label !== undefined ? `label ${String(s.expected.label)}` : ''}
                  {s.expected.value !== undefined ? `value ${s.expected.value}` : ''}
                  {s.expected.probabilities
                    ? ` probabilities ${Object.entries(s.expected.probabilities)
                        .map(([k, p]) => `${k} ${num(p)}`)
                        .join(', ')}`
                    : ''}
                  {s.tolerance !== undefined ? ` (± ${s.tolerance})` : ''}
                </li>
              ))}
            </ul>
          )}
          <p class="muted">
            Smoke tests run before the version takes traffic: at promotion and at a rollout's smoke step.
          </p>

          <h2>Model card</h2>
          <dl class="facts">
            <dt>Intended use</dt>
            <dd class="text">{m.intended_use ?? '–'}</dd>
            <dt>Limitations</dt>
            <dd class="text">{m.limitations ?? '–'}</dd>
            <dt>Ethical considerations</dt>
            <dd class="text">{m.ethical_considerations ?? '–'}</dd>
            <dt>Provenance</dt>
            <dd class="text">
              {[m.algorithm, m.framework, m.training_data_version, m.trainer, m.git_commit]
                .filter(Boolean)
                .join(' · ')}
            </dd>
          </dl>
          <details>
            <summary>The whole model card (Markdown)</summary>
            {card.problem ? (
              <ProblemBox problem={card.problem} context="Model card" />
            ) : (
              <pre class="card">{card.data ?? '…'}</pre>
            )}
          </details>

          <h2>Signature</h2>
          <p>
            Input layout <code>{v.signature.input_layout}</code>
            {v.signature.features_inferred ? ' (features inferred from the ONNX inputs)' : ''}
            {v.signature.labels ? `; labels ${v.signature.labels.join(', ')}` : ''}.
          </p>
          <TableWrap label="Features">
            <table>
              <thead>
                <tr>
                  <th scope="col">Feature</th>
                  <th scope="col">Type</th>
                  <th scope="col">Range or values</th>
                  <th scope="col">Nullable</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {v.signature.features.map((f) => (
                  <tr key={f.name}>
                    <th scope="row">{f.name}</th>
                    <td>{f.type}</td>
                    <td>
                      {f.values ? f.values.join(', ') : `${num(f.min ?? null)} … ${num(f.max ?? null)}`}
                    </td>
                    <td>{f.nullable ? 'yes' : 'no'}</td>
                    <td class="text">{f.description ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>

          <h2>Files</h2>
          <TableWrap label="Files">
            <table>
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Role</th>
                  <th scope="col">Size</th>
                  <th scope="col">SHA-256</th>
                </tr>
              </thead>
              <tbody>
                {v.files.map((f) => (
                  <tr key={f.path}>
                    <th scope="row">{f.path}</th>
                    <td>{f.role}</td>
                    <td class="num">{bytes(f.size)}</td>
                    <td>
                      <Hash sha={f.sha256} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>

          <h2>Manifest</h2>
          <details>
            <summary>Manifest as registered (JSON)</summary>
            <pre>{JSON.stringify(m, null, 2)}</pre>
          </details>
        </>
      )}
    </>
  );
}

function Evaluations(props: {
  offline: Record<string, number> | undefined;
  evaluations: Evaluation[] | undefined;
}) {
  return (
    <>
      {props.offline && (
        <p>
          Offline metrics in the manifest:{' '}
          {Object.entries(props.offline)
            .map(([k, x]) => `${k} ${num(x)}`)
            .join(', ')}
          .
        </p>
      )}
      {props.evaluations === undefined ? (
        <Loading what="evaluations" />
      ) : props.evaluations.length === 0 ? (
        <p>
          No evaluation recorded (run <code>modelgate models evaluate</code>).
        </p>
      ) : (
        <TableWrap label="Evaluations">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Data</th>
                <th scope="col">Rows</th>
                <th scope="col">Metrics</th>
              </tr>
            </thead>
            <tbody>
              {props.evaluations.map((e) => (
                <tr key={e.id}>
                  <td>
                    {time(e.created_at)} <span class="muted">by {e.created_by}</span>
                  </td>
                  <td>
                    {e.data_name ?? '–'} <Hash sha={e.data_sha256} />
                  </td>
                  <td class="num">{e.rows}</td>
                  <td>
                    {Object.entries(e.metrics)
                      .map(([k, x]) => `${k} ${num(x)}`)
                      .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}
