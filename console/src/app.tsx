import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api } from './api/http.js';
import { sessionStore, type Session } from './api/session.js';
import { href, parseRoute, type Route } from './logic/routes.js';
import { AuditPage } from './pages/audit.js';
import { KeysPage } from './pages/keys.js';
import { ModelPage } from './pages/model.js';
import { ModelsPage } from './pages/models.js';
import { RolloutPage } from './pages/rollout.js';
import { RolloutsPage } from './pages/rollouts.js';
import { SignIn } from './pages/sign-in.js';
import { VersionPage } from './pages/version.js';

/** What every page gets: the API with the user's credential, and whether it may change things. */
export interface PageProps {
  api: Api;
  admin: boolean;
}

export function App() {
  const [session, setSession] = useState<Session | null>(() => sessionStore.load());
  const [notice, setNotice] = useState<string | null>(null);
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));

  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const signOut = (why: string | null) => {
    sessionStore.clear();
    setSession(null);
    setNotice(why);
  };
  const api = useMemo(
    () => (session ? new Api(session.credential, (p) => signOut(`Signed out: ${p.detail}`)) : null),
    [session],
  );

  // a new page: its heading takes the focus, so keyboard and screen reader users start there
  useEffect(() => {
    document.getElementById('page-title')?.focus();
  }, [route, session]);

  if (!session || !api)
    return (
      <SignIn
        notice={notice}
        onSignedIn={(s) => {
          sessionStore.save(s);
          setNotice(null);
          setSession(s);
        }}
      />
    );

  const admin = session.principal.effective_scopes.includes('admin');
  const props: PageProps = { api, admin };
  const nav: Array<[string, string, boolean]> = [
    ['Models', href.models(), route.page === 'models' || route.page === 'model' || route.page === 'version'],
    ['Rollouts', href.rollouts(), route.page === 'rollouts' || route.page === 'rollout'],
    ...(admin
      ? ([
          ['Audit log', href.audit(), route.page === 'audit'],
          ['API keys', href.keys(), route.page === 'keys'],
        ] as Array<[string, string, boolean]>)
      : []),
  ];
  return (
    <>
      <a class="skip" href="#page-title">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">modelgate</span>
        <nav aria-label="Console">
          <ul>
            {nav.map(([label, to, current]) => (
              <li key={to}>
                <a href={to} aria-current={current ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>
            {session.principal.name} <span class="muted">({session.principal.id})</span>{' '}
            <span class="scopes" data-testid="scopes">
              {session.principal.effective_scopes.join(', ')}
            </span>
          </span>
          <button type="button" onClick={() => signOut('Signed out.')}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        <Page route={route} {...props} />
      </main>
    </>
  );
}

function Page({ route, ...props }: PageProps & { route: Route }) {
  switch (route.page) {
    case 'models':
      return <ModelsPage {...props} />;
    case 'model':
      return <ModelPage {...props} name={route.name} />;
    case 'version':
      return <VersionPage {...props} name={route.name} version={route.version} />;
    case 'rollouts':
      return <RolloutsPage {...props} />;
    case 'rollout':
      return <RolloutPage {...props} id={route.id} />;
    case 'audit':
      return props.admin ? <AuditPage {...props} /> : <NeedsAdmin what="The audit log" />;
    case 'keys':
      return props.admin ? <KeysPage {...props} /> : <NeedsAdmin what="API keys" />;
    case 'not-found':
      return (
        <>
          <h1 id="page-title" tabIndex={-1}>
            No such page
          </h1>
          <p>
            The console has no page at <code>{route.path}</code>.{' '}
            <a href={href.models()}>Back to the models</a>
          </p>
        </>
      );
  }
}

function NeedsAdmin({ what }: { what: string }) {
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        {what}
      </h1>
      <p>{what} needs a credential with the admin scope.</p>
    </>
  );
}
