import { readFileSync, writeFileSync } from 'node:fs';
import { fileError, ModelgateLocalError, parseYamlText } from '../client/local-files.js';

/** Reads a file named on the command line ("-": standard input); a failure names the file. */
export function readInput(path: string, role?: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (err) {
    throw fileError(err, path === '-' ? 'standard input' : path, role);
  }
}

/** JSON from `source` (a file name, or the option it came from); a syntax error names it. */
export function parseJsonInput(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ModelgateLocalError('INPUT_INVALID', `${source}: ${(err as Error).message}`, source);
  }
}

/** A YAML or JSON file; a syntax error names the file, line and column. */
export function readYamlInput(path: string, role?: string): unknown {
  return parseYamlText(readInput(path, role), path, 'INPUT_INVALID');
}

/** Writes a file named on the command line; a failure names the file. */
export function writeOutput(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw fileError(err, path);
  }
}
