import { useState } from 'preact/hooks';
import type { PageProps } from '../app.js';
import { enc } from '../api/http.js';
import type { Aliases, Rollout } from '../api/types.js';
import { Badge, Hash, Loading, TableWrap } from '../components/bits.js';
import { useActions } from '../components/confirm.js';
import { PageTitle } from '../components/page-title.js';
import { ProblemBox } from '../components/problem-box.js';
import { usePoll } from '../components/use-poll.js';
import { time } from '../logic/format.js';
import { isActive } from '../logic/rollout-view.js';
import { href } from '../logic/routes.js';
import { StartRollout } from './start-rollout.js';

interface ModelDetail {
  name: string;
  aliases: Aliases;
  versions: Array<{
    version: string;
    display_id: string;
    artifact_sha256: string;
    created_at: string;
    created_by: string;
    changelog: string;
  }>;
}

/** One model: its versions and aliases, its rollouts, and (admin) the actions that move them. */
export function ModelPage({ api, admin, name }: PageProps & { name: string }) {
  const model = usePoll(() => api.get<ModelDetail>(`/v1/models/${enc(name)}`), 5000, [name]);
  const rollouts = usePoll(
    async () => (await api.get<{ rollouts: Rollout[] }>(`/v1/models/${enc(name)}/rollouts`)).rollouts,
    5000,
    [name],
  );
  const reload = () => Promise.all([model.reload(), rollouts.reload()]);
  const actions = useActions(reload);
  const [showStart, setShowStart] = useState(false);

  const m = model.data;
  const active = rollouts.data?.find((r) => isActive(r.state));
  const aliasesOf = (v: string) =>
    (['production', 'staging', 'previous'] as const).filter((a) => m?.aliases[a] === v);

  const promote = (version: string) =>
    actions.ask({
      title: `Promote ${name} ${version}`,
      what: (
        <p>
          Production of <strong>{name}</strong> moves from <strong>{m?.aliases.production ?? 'none'}</strong>{' '}
          to <strong>{version}</strong>. The version is loaded, warmed and smoke-tested before the switch;{' '}
          {m?.aliases.production ?? 'the old version'} becomes <em>previous</em>.
        </p>
      ),
      confirmLabel: 'Promote',
      run: () => api.act('POST', `/v1/models/${enc(name)}/promote`, { version }),
      done: `${name} ${version} is production.`,
    });
  const rollback = () =>
    actions.ask({
      title: `Roll back ${name}`,
      what: active ? (
        <p>
          Rollout <strong>{active.id}</strong> is aborted: all traffic returns to{' '}
          <strong>{active.baseline}</strong> at once.
        </p>
      ) : (
        <p>
          Production of <strong>{name}</strong> moves from <strong>{m?.aliases.production ?? 'none'}</strong>{' '}
          back to <strong>{m?.aliases.previous ?? 'the previous version'}</strong>.
        </p>
      ),
      confirmLabel: 'Roll back',
      danger: true,
      run: () => api.act('POST', `/v1/models/${enc(name)}/rollback`, {}),
      done: (r) => {
        const moved = r as { aliases: Aliases; rollout_aborted?: string };
        return moved.rollout_aborted
          ? `Rollout ${moved.rollout_aborted} aborted; production stays ${moved.aliases.production ?? 'none'}.`
          : `${name} production is ${moved.aliases.production ?? 'none'}.`;
      },
    });
  const staging = (version: string | null) =>
    actions.ask({
      title: version ? `Set ${name} staging to ${version}` : `Clear ${name} staging`,
      what: (
        <p>
          The <em>staging</em> alias of <strong>{name}</strong>{' '}
          {m?.aliases.staging ? `(now ${m.aliases.staging}) ` : ''}
          {version ? (
            <>
              points to <strong>{version}</strong>.
            </>
          ) : (
            'is removed.'
          )}{' '}
          Production does not change.
        </p>
      ),
      confirmLabel: version ? 'Set staging' : 'Clear staging',
      run: () => api.act('PUT', `/v1/models/${enc(name)}/aliases/staging`, { version }),
      done: version ? `${name} staging is ${version}.` : `${name} has no staging version.`,
    });

  return (
    <>
      <p class="crumbs">
        <a href={href.models()}>Models</a> /
      </p>
      <PageTitle text={`Model ${name}`}>{name}</PageTitle>
      {model.problem && <ProblemBox problem={model.problem} context={`Model ${name}`} />}
      {!m ? (
        model.loading && <Loading what="the model" />
      ) : (
        <>
          <dl class="facts">
            <dt>Production</dt>
            <dd data-testid="production">{m.aliases.production ?? 'none'}</dd>
            <dt>Staging</dt>
            <dd data-testid="staging">{m.aliases.staging ?? 'none'}</dd>
            <dt>Previous</dt>
            <dd>{m.aliases.previous ?? 'none'}</dd>
          </dl>
          {active && (
            <p class="notice">
              Rollout <a href={href.rollout(active.id)}>{active.id}</a> of {active.candidate} is{' '}
              <Badge value={active.state} />
            </p>
          )}
          {admin && (
            <div class="toolbar" role="group" aria-label="Model actions">
              <button
                type="button"
                class="danger"
                onClick={rollback}
                disabled={!active && !m.aliases.previous}
              >
                Roll back production
              </button>
              <button
                type="button"
                aria-expanded={showStart}
                aria-controls="start-rollout"
                onClick={() => setShowStart(!showStart)}
                disabled={Boolean(active)}
              >
                Start a rollout…
              </button>
              {m.aliases.staging && (
                <button type="button" onClick={() => staging(null)}>
                  Clear staging
                </button>
              )}
            </div>
          )}
          {actions.view}
          {admin && showStart && !active && (
            <StartRollout
              api={api}
              name={name}
              production={m.aliases.production}
              versions={m.versions.map((v) => v.version)}
              ask={actions.ask}
            />
          )}
          <h2>Versions</h2>
          <TableWrap label="Versions">
            <table>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Aliases</th>
                  <th scope="col">Artifact SHA-256</th>
                  <th scope="col">Registered</th>
                  <th scope="col">Changelog</th>
                  {admin && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {m.versions.map((v) => (
                  <tr key={v.version} data-version={v.version}>
                    <th scope="row">
                      <a href={href.version(name, v.version)}>{v.version}</a>
                    </th>
                    <td>
                      {aliasesOf(v.version).map((a) => (
                        <Badge key={a} value={a} />
                      ))}
                    </td>
                    <td>
                      <Hash sha={v.artifact_sha256} />
                    </td>
                    <td>
                      {time(v.created_at)} <span class="muted">by {v.created_by}</span>
                    </td>
                    <td class="text">{v.changelog}</td>
                    {admin && (
                      <td class="row-actions">
                        {m.aliases.production !== v.version && (
                          <button
                            type="button"
                            onClick={() => promote(v.version)}
                            aria-label={`Promote ${v.version}`}
                          >
                            Promote
                          </button>
                        )}
                        {m.aliases.staging !== v.version && (
                          <button
                            type="button"
                            onClick={() => staging(v.version)}
                            aria-label={`Set staging to ${v.version}`}
                          >
                            Set staging
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}
      <h2>Rollouts</h2>
      {rollouts.problem && <ProblemBox problem={rollouts.problem} context="Rollouts" />}
      {rollouts.data && rollouts.data.length === 0 && <p>No rollout yet.</p>}
      {rollouts.data && rollouts.data.length > 0 && (
        <TableWrap label="Rollouts of this model">
          <table>
            <thead>
              <tr>
                <th scope="col">Rollout</th>
                <th scope="col">Versions</th>
                <th scope="col">State</th>
                <th scope="col">Started</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {rollouts.data.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <a href={href.rollout(r.id)}>{r.id}</a>
                  </th>
                  <td>
                    {r.baseline} → {r.candidate}
                  </td>
                  <td>
                    <Badge value={r.state} />
                  </td>
                  <td>{time(r.created_at)}</td>
                  <td class="text">{r.reason ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}
