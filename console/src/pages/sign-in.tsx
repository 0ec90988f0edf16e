import { useState } from 'preact/hooks';
import { whoami } from '../api/http.js';
import { asProblem, type ApiProblem } from '../api/problem.js';
import type { Session } from '../api/session.js';
import { PageTitle } from '../components/page-title.js';
import { ProblemBox } from '../components/problem-box.js';

/**
 * Sign in with an API key or a bearer token (JWT). The console asks /v1/whoami what the
 * credential may do and keeps it in memory, or in this tab's sessionStorage when asked to.
 */
export function SignIn(props: { notice: string | null; onSignedIn: (s: Session) => void }) {
  const [credential, setCredential] = useState('');
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [refused, setRefused] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const value = credential.trim();
    if (!value) return;
    setBusy(true);
    setProblem(null);
    setRefused(null);
    try {
      const principal = await whoami(value);
      if (!principal.effective_scopes.includes('read')) {
        setRefused(
          `This credential (${principal.id}) has the scopes ${principal.scopes.join(', ')}; the console needs read or admin.`,
        );
        return;
      }
      setCredential('');
      props.onSignedIn({ credential: value, principal, remember });
    } catch (err) {
      setProblem(asProblem(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <PageTitle text="Sign in to the modelgate console" />
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} aria-describedby="sign-in-help">
        <label for="credential">API key or bearer token (JWT)</label>
        <input
          id="credential"
          name="credential"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={credential}
          onInput={(e) => setCredential(e.currentTarget.value)}
        />
        <label class="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />{' '}
          Stay signed in while this tab is open (sessionStorage)
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p id="sign-in-help" class="muted">
        The console calls the modelgate API with this credential and can do only what its scopes allow. It is
        kept in this tab's memory (or sessionStorage if you tick the box), never in a cookie or the address.
      </p>
      {refused && (
        <p class="problem" role="alert">
          {refused}
        </p>
      )}
      {problem && <ProblemBox problem={problem} context="Sign-in refused" />}
    </main>
  );
}
