/** glibc's malloc_trim(0); `null` when the addon was not built or cannot load. */
export function loadTrim(): (() => boolean) | null;
