import { useState } from 'preact/hooks';
import type { PageProps } from '../app.js';
import { enc } from '../api/http.js';
import type { ApiKey, Scope } from '../api/types.js';
import { Badge, Loading, TableWrap } from '../components/bits.js';
import { useActions } from '../components/confirm.js';
import { PageTitle } from '../components/page-title.js';
import { ProblemBox } from '../components/problem-box.js';
import { usePoll } from '../components/use-poll.js';
import { time } from '../logic/format.js';

const SCOPES: Scope[] = ['predict', 'read', 'admin'];

/** API keys (admin): create (the key is shown once), revoke. */
export function KeysPage({ api }: PageProps) {
  const keys = usePoll(async () => (await api.get<{ keys: ApiKey[] }>('/v1/keys')).keys, 0, []);
  const actions = useActions(() => keys.reload());
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['read']);
  const [created, setCreated] = useState<(ApiKey & { key: string }) | null>(null);

  const create = (e: Event) => {
    e.preventDefault();
    setCreated(null);
    actions.ask({
      title: `Create the API key ${name}`,
      what: (
        <p>
          A new key named <strong>{name}</strong> with the scopes <strong>{scopes.join(', ')}</strong>. Its
          secret is shown once, here, and never again.
        </p>
      ),
      confirmLabel: 'Create key',
      run: async () => {
        const k = await api.act<ApiKey & { key: string }>('POST', '/v1/keys', { name, scopes });
        setCreated(k);
        setName('');
        return k;
      },
      done: (k) => `Key ${(k as ApiKey).id} created.`,
    });
  };
  const revoke = (k: ApiKey) =>
    actions.ask({
      title: `Revoke the API key ${k.name}`,
      what: (
        <p>
          Key <code>{k.id}</code> (<strong>{k.name}</strong>, scopes {k.scopes.join(', ')}) stops working at
          once, for every caller that uses it.
        </p>
      ),
      confirmLabel: 'Revoke',
      danger: true,
      run: () => api.act('DELETE', `/v1/keys/${enc(k.id)}`),
      done: `Key ${k.id} revoked.`,
    });

  return (
    <>
      <PageTitle text="API keys" />
      <form class="panel" aria-label="Create an API key" onSubmit={create}>
        <h2>Create a key</h2>
        <label for="key-name">Name</label>
        <input
          id="key-name"
          type="text"
          required
          maxLength={100}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s} class="check">
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) =>
                  setScopes(e.currentTarget.checked ? [...scopes, s] : scopes.filter((x) => x !== s))
                }
              />{' '}
              {s}
            </label>
          ))}
        </fieldset>
        <button type="submit" class="primary" disabled={scopes.length === 0}>
          Create key…
        </button>
      </form>
      {actions.view}
      {created && (
        <div class="secret" role="region" aria-label="The new key">
          <p>
            <strong>Copy the key now: it is shown only once.</strong>
          </p>
          <p>
            <label for="new-key">Key {created.id}</label>
            <input
              id="new-key"
              type="text"
              readOnly
              value={created.key}
              onFocus={(e) => e.currentTarget.select()}
            />
          </p>
          <button type="button" onClick={() => setCreated(null)}>
            I have copied it; hide the key
          </button>
        </div>
      )}
      <h2>Keys</h2>
      {keys.problem && <ProblemBox problem={keys.problem} context="API keys" />}
      {!keys.data ? (
        keys.loading && <Loading what="keys" />
      ) : (
        <TableWrap label="API keys">
          <table>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.map((k) => (
                <tr key={k.id} data-key={k.id}>
                  <th scope="row">
                    <code>{k.id}</code>
                  </th>
                  <td class="text">{k.name}</td>
                  <td>{k.scopes.join(', ')}</td>
                  <td>
                    {time(k.created_at)} <span class="muted">by {k.created_by}</span>
                  </td>
                  <td>
                    {k.revoked_at ? (
                      <Badge value="revoked" label={`revoked ${time(k.revoked_at)}`} />
                    ) : (
                      <Badge value="ok" label="active" />
                    )}
                  </td>
                  <td>
                    {!k.revoked_at && (
                      <button
                        type="button"
                        class="danger"
                        onClick={() => revoke(k)}
                        aria-label={`Revoke ${k.name}`}
                      >
                        Revoke
                      </button>
                    )}
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
