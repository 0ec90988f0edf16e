/**
 * The codes of failures the CLI reports without a server answer (a server answer keeps the API's
 * code). Every failure prints one line `error: CODE: detail`; docs/errors.md lists these codes and
 * a test keeps the two in sync.
 */
export const CLI_ERROR_CODES = {
  USAGE: 'The command line is incomplete or has a value the command does not take.',
  FILE_NOT_FOUND: 'A file named on the command line, or listed in a manifest, does not exist.',
  FILE_ERROR: 'A file cannot be read or written (permissions, a directory, a full disk).',
  MANIFEST_INVALID:
    'The file given to `models register` is not a manifest: binary content, a YAML or JSON syntax error (with its line and column), or no `name` and `artifact`.',
  INPUT_INVALID:
    'An input the CLI reads does not parse or does not fit: JSON or YAML (instances for `predict`, a rollout plan), a CSV or JSONL data file (`score`, `manifest init --reference`: a missing column, a bad line), or labels from `--labels-from` that contradict the model.',
  SERVER_UNREACHABLE: 'The server did not answer (connection refused, timeout, unknown host). Exit status 2.',
  CONFIG_INVALID:
    'The configuration of a command that opens the store itself (`--local`, `migrate`, `serve`) is invalid.',
  UNEXPECTED_ANSWER: 'The server answered something this CLI does not understand (a version mismatch).',
  CLI_FAILED: 'Anything else: a bug in the CLI; please report it with the command line.',
} as const;

export type CliErrorCode = keyof typeof CLI_ERROR_CODES;

/** A failure of the command line itself, reported as `error: CODE: detail`. */
export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'CliError';
  }
}

/** A usage error: the command line is incomplete or has a value the command does not take. */
export const usage = (detail: string): CliError => new CliError('USAGE', detail);
