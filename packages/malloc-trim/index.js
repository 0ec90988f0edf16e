import { createRequire } from 'node:module';

/**
 * `trim()` hands the free memory of glibc's malloc arenas back to the system and says whether
 * any was released; `null` when the addon was not built (an optional dependency) or cannot load.
 */
export function loadTrim() {
  try {
    return createRequire(import.meta.url)('./build/trim.node').trim;
  } catch {
    return null;
  }
}
