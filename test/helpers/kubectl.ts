import { execFileSync } from 'node:child_process';

/**
 * A kubectl whose `kubectl kustomize` reads today's kustomizations (kustomize v4 or later, i.e.
 * kubectl 1.21+). Debian bookworm's kubernetes-client is 1.20 (kustomize v2), too old. Tests skip
 * visibly without one, except under CI.
 */
export const KUBECTL = findKubectl();

function findKubectl(): string | undefined {
  const bin = process.env.KUBECTL ?? 'kubectl';
  try {
    const out = execFileSync(bin, ['version', '--client', '-o', 'json'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const v = (JSON.parse(out) as { kustomizeVersion?: string }).kustomizeVersion ?? '';
    const major = Number(/^v(\d+)\./.exec(v)?.[1] ?? 0);
    return major >= 4 ? bin : undefined;
  } catch {
    return undefined;
  }
}

export function skipWithoutKubectl(): string | false {
  if (KUBECTL) return false;
  const hint = 'kubectl 1.21+ (kustomize v4+) on PATH or in KUBECTL';
  if (process.env.CI === 'true')
    throw new Error(`under CI=true the manifest tests must run: install ${hint}`);
  return `no ${hint}`;
}

/** `kubectl kustomize DIR`: the rendered YAML. */
export function kustomize(dir: string): string {
  return execFileSync(KUBECTL!, ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
}
