import type { Registry } from 'prom-client';

/**
 * The IPC vocabulary between the primary of `serve --workers N` and its workers (docs/adr/0015).
 * Every message carries `mg` (its kind), so messages of other libraries on the same channel are
 * told apart. Requests carry an `id`, echoed by their answer.
 */

/** A worker listens: the facts the primary's banner needs. */
export interface ReadyMessage {
  mg: 'ready';
  url: string;
  /** the port it gave listen() (0 included), which the other workers give theirs */
  listenPort: number;
  /** "embedded: …" or "cluster: …" (credentials hidden) */
  where: string;
  /** created by the first worker's start (first start without any key), shown once */
  generatedAdminKey?: string;
}

/** New hits of one window counter key on a worker. */
export interface Hit {
  key: string;
  n: number;
  windowMs: number;
}

/** One key's count in the primary's window, without the hits of the worker it is sent to. */
export interface OthersCount {
  key: string;
  others: number;
  ttlMs: number;
}

/** Worker → primary: hits counted since the last sync (rate limits, failed-auth throttle). */
export interface HitsMessage {
  mg: 'hits';
  hits: Hit[];
}

/** Primary → worker: the other workers' counts of the windows that changed. */
export interface CountsMessage {
  mg: 'counts';
  counts: OthersCount[];
}

/** Worker → primary: the metrics of every worker, aggregated, as Prometheus text. */
export interface ScrapeRequest {
  mg: 'scrape';
  id: number;
}

/** Primary → worker: answer of a ScrapeRequest. */
export interface Answer {
  mg: 'answer';
  id: number;
  text?: string;
  error?: string;
}

/** Primary → worker: this worker's own metrics, please (for an aggregation). */
export interface CollectRequest {
  mg: 'collect';
  id: number;
}

/** One registry's metrics as `getMetricsAsJSON()` gives them (what prom-client aggregates). */
export type JsonMetrics = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** Worker → primary: answer of a CollectRequest. */
export interface Collected {
  mg: 'collected';
  id: number;
  metrics?: JsonMetrics;
  error?: string;
}

export type WorkerMessage = ReadyMessage | HitsMessage | ScrapeRequest | Collected;
export type PrimaryMessage = Answer | CollectRequest | CountsMessage;

/** Whether `m` is one of ours (an object with a string `mg`). */
export function isModelgateMessage(m: unknown): m is { mg: string } {
  return typeof m === 'object' && m !== null && typeof (m as { mg?: unknown }).mg === 'string';
}

/** Environment the primary sets for its workers. */
export const WORKER_ENV = {
  /** 1..N, kept by a restarted worker (the `worker` label of per-worker metrics) */
  slot: 'MODELGATE_WORKER_SLOT',
  /** "1" for the worker that does the start's one-time work (migrations, demo, admin key) */
  first: 'MODELGATE_WORKER_FIRST',
  /** the port the first worker gave listen(): node:cluster shares one socket per (host, port) */
  port: 'MODELGATE_WORKER_PORT',
} as const;
