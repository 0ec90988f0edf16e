/**
 * The content of a model card as a small tree of blocks, built once from ModelCardData and then
 * written as Markdown or HTML: both formats carry the same facts, and each writer does its own
 * escaping in one place. Texts here are raw (unescaped) values.
 */

/** One value. `full` is the complete value when `text` is an abbreviation (a hash prefix). */
export interface Cell {
  text: string;
  /** monospace: hashes, paths, identifiers */
  code?: boolean;
  /** a field the data left empty ("Not stated.") */
  gap?: boolean;
  /** right-aligned number */
  num?: boolean;
  full?: string;
}

export type Block =
  | { kind: 'paragraph'; value: Cell }
  | { kind: 'heading'; text: string }
  | { kind: 'fields'; items: Array<{ label: string; value: Cell }> }
  | { kind: 'table'; head: string[]; rows: Cell[][]; numeric: boolean[]; empty: string };

export interface CardSection {
  /** fixed, never user data: used as the HTML id */
  id: string;
  title: string;
  blocks: Block[];
}

export interface ModelCardDocument {
  title: string;
  summary: string;
  sections: CardSection[];
}

const NOT_STATED = 'Not stated.';

/** The value, or a visible "Not stated." when it is absent or blank. */
export function stated(value: string | undefined | null, code = false): Cell {
  return value === undefined || value === null || value.trim() === ''
    ? { text: NOT_STATED, gap: true }
    : { text: value, code };
}

export function table(head: string[], rows: Cell[][], empty: string, numeric: number[] = []): Block {
  return { kind: 'table', head, rows, numeric: head.map((_, i) => numeric.includes(i)), empty };
}
