// Where every benchmark of `npm run bench` leaves its numbers: bench/results/<bench>.json, one
// row per (workload, server, concurrency), replaced whole by each run of that bench. bench/charts.ts
// draws docs/benchmarks.md's charts and summary table from these files.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { ROOT } from '../../scripts/serve-process.js';
import { LOAD_GENERATOR, type LoadGenerator } from './load.js';

export const RESULTS_DIR = join(ROOT, 'bench/results');

/** One measured load: a workload on one server at one concurrency. */
export interface BenchRow {
  /** e.g. "trees, 1 row", "mlp-3000, 1 row", "trees, 1,000 rows" */
  workload: string;
  /** "modelgate", "bare", "modelgate --workers 2", … */
  server: string;
  connections: number;
  /** requests per second (mean over the run's seconds) */
  rps: number;
  /** rows per second, when requests carry more than one row */
  rowsPerSecond?: number;
  p50Ms: number;
  p99Ms: number;
}

export interface BenchFile {
  bench: string;
  /** ISO time of the run */
  at: string;
  node: string;
  cpus: number;
  /** 1-minute load average when the bench finished (a noisy machine gives noisy numbers) */
  loadAverage: number;
  /** what put the load on the servers (bench/lib/load.ts); absent in files of older runs */
  loadGenerator?: LoadGenerator;
  rows: BenchRow[];
}

export function writeResults(bench: string, rows: BenchRow[]): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${bench}.json`);
  const doc: BenchFile = {
    bench,
    at: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    loadGenerator: LOAD_GENERATOR,
    rows,
  };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return file;
}

export function readResults(dir = RESULTS_DIR): BenchFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return names
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Partial<BenchFile>)
    .filter((f): f is BenchFile => typeof f.bench === 'string' && Array.isArray(f.rows));
}
