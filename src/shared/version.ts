/** modelgate's version (package.json's), reported by the CLI, metrics and spans. */
export const VERSION = '0.1.0';
