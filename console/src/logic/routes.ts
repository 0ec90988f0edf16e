// The console's pages, addressed by the URL's fragment (#/models/breast-cancer): the server
// serves one page, and nothing secret ever goes in the URL.

export type Route =
  | { page: 'models' }
  | { page: 'model'; name: string }
  | { page: 'version'; name: string; version: string }
  | { page: 'rollouts' }
  | { page: 'rollout'; id: string }
  | { page: 'audit' }
  | { page: 'keys' }
  | { page: 'not-found'; path: string };

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/models';
  const parts = path.split('/').slice(1).map(decode);
  if (parts.some((p) => p === undefined || p === '')) return { page: 'not-found', path };
  const [a, b, c, d, ...rest] = parts as string[];
  if (rest.length > 0) return { page: 'not-found', path };
  if (a === 'models' && !b) return { page: 'models' };
  if (a === 'models' && b && !c) return { page: 'model', name: b };
  if (a === 'models' && b && c === 'versions' && d) return { page: 'version', name: b, version: d };
  if (a === 'rollouts' && !b) return { page: 'rollouts' };
  if (a === 'rollouts' && b && !c) return { page: 'rollout', id: b };
  if (a === 'audit' && !b) return { page: 'audit' };
  if (a === 'keys' && !b) return { page: 'keys' };
  return { page: 'not-found', path };
}

const e = encodeURIComponent;
export const href = {
  models: () => '#/models',
  model: (name: string) => `#/models/${e(name)}`,
  version: (name: string, version: string) => `#/models/${e(name)}/versions/${e(version)}`,
  rollouts: () => '#/rollouts',
  rollout: (id: string) => `#/rollouts/${e(id)}`,
  audit: () => '#/audit',
  keys: () => '#/keys',
};
