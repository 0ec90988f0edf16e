import { createRequire } from 'node:module';

/** What `startMallocTrim` reports: whether it runs, and its trims so far. */
export interface MallocTrimmer {
  readonly running: boolean;
  /** calls made, and calls that released memory */
  readonly calls: number;
  readonly released: number;
  stop(): void;
}

/**
 * glibc's `malloc_trim(0)` from the optional @modelgate/malloc-trim addon; null when the package
 * is missing (npm leaves out an optional dependency whose install failed) or its addon was not
 * built.
 */
export function loadMallocTrim(): (() => boolean) | null {
  try {
    const addon = createRequire(import.meta.url)('@modelgate/malloc-trim') as {
      loadTrim(): (() => boolean) | null;
    };
    return addon.loadTrim();
  } catch {
    return null;
  }
}

/**
 * Hands the memory that glibc's malloc holds free back to the system every `intervalMs`
 * (`malloc_trim(0)`, through the optional @modelgate/malloc-trim addon). Under load, V8's
 * compiler and garbage collector threads and the HTTP and ONNX Runtime buffers leave ~20 MB of
 * free chunks inside the malloc arenas, which glibc returns only from a heap's top (ADR 0017).
 * Off when `intervalMs` is 0 or the addon is missing (not glibc, no C compiler at install).
 */
export function startMallocTrim(
  intervalMs: number,
  trim: (() => boolean) | null = loadMallocTrim(),
): MallocTrimmer {
  let calls = 0;
  let released = 0;
  const timer =
    intervalMs > 0 && trim
      ? setInterval(() => {
          calls++;
          if (trim()) released++;
        }, intervalMs).unref()
      : undefined;
  return {
    running: timer !== undefined,
    get calls() {
      return calls;
    },
    get released() {
      return released;
    },
    stop: () => clearInterval(timer),
  };
}
