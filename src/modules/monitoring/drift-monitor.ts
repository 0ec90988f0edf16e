import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import type { ModelVersion } from '../registry/types.js';
import type { Answer, AnswerObserver } from '../serving/answer.js';
import type { DriftOptions } from './drift-assessment.js';
import { assessHere, type Assess } from './drift-assessor.js';
import { driftReportOf, type DriftReport } from './drift-report-data.js';
import { LiveWindow, type Pane, type WindowSpec } from './live-window.js';
import type { DriftWindowStore, PublishedPane } from './drift-window-store.js';
import { decodePane, encodePane } from './pane-codec.js';
import { positiveLabel, predictionValueOf, type PredictionLike } from './prediction-value.js';
import { mulberry32 } from '../../shared/seeded-random.js';
import type { ReferenceRecord } from './reference-data.js';

/** What the monitor reads: versions and their reference profiles (the registry store). */
export interface DriftSources {
  getVersion(model: string, version: string): Promise<ModelVersion | undefined>;
  getReference(model: string, version: string): Promise<ReferenceRecord | undefined>;
}

export interface DriftMonitorDeps {
  sources: DriftSources;
  window: WindowSpec;
  options: DriftOptions;
  clock: Clock;
  logger: Logger;
  /** uniform in [0, 1) for the windows' reservoirs; crypto-seeded by default */
  random?: () => number;
  /** where assessments run: a DriftWorker in the server; on the calling thread by default */
  assess?: Assess;
  /** bytes of rows held per version while its profile is read (approximate); more are not counted */
  heldMaxBytes?: number;
  /** rows that were not held (and so never counted) because the bound was reached */
  onDropped?: (rows: number) => void;
  /**
   * Cluster mode: this replica publishes its windows' panes, and reports merge the other fresh
   * replicas' (bin counts add up), so drift describes all replicas' traffic.
   */
  cluster?: { store: DriftWindowStore; replicaId: string; staleMs: number };
}

interface Tracked {
  model: string;
  version: string;
  reference: ReferenceRecord;
  window: LiveWindow;
  value: (p: PredictionLike) => number | string;
  /** the last assessment, and the window's change token when it was made */
  latest?: { atMs: number; token: string; report: DriftReport };
  /** an assessment under way, for the window as it was at `token` */
  running?: { token: string; report: Promise<DriftReport> } | undefined;
  /** the one assessment to run after it, for whoever asked while the window moved on */
  followUp?: Promise<DriftReport> | undefined;
}

/** A version whose window failed: drift is off for it until the process restarts. */
class Failed {
  constructor(readonly cause: unknown) {}
}

/** Rows held per version while its reference profile is read, at most (and at most heldMaxBytes). */
const HELD_ROWS = 10_000;
export const DEFAULT_HELD_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Approximate memory of a row of features: 16 bytes a value (a slot and a heap number), a string
 * its characters plus a header, 64 for the object. Only strings can make a row large: a category
 * value may be up to maxStringLength characters.
 */
export function approxRowBytes(row: Record<string, unknown>): number {
  let n = 64;
  for (const key in row) {
    const v = row[key];
    n += 16 + (typeof v === 'string' ? v.length + 16 : 0);
  }
  return n;
}

/** A reference lookup in flight, with the rows predicted meanwhile. */
class Loading {
  readonly held: Array<[Record<string, unknown>, PredictionLike]> = [];
  heldBytes = 0;
  done: Promise<void> = Promise.resolve();
  /** why the lookup failed (it is tried again with the next prediction) */
  error: unknown = undefined;
}

/**
 * Live windows per model version that has a reference profile, fed by every successful prediction
 * (native records, or V2 tensors read back into records), and drift assessments over them. The request path only records rows into a window
 * (O(features · log bins)); a version seen for the first time is looked up in the background, its
 * rows held meanwhile (up to HELD_ROWS) and counted once the profile is read. Assessments (KS,
 * chi-square, PSI) run when asked: by the drift API, or by a metrics scrape when the last one is
 * older than it allows.
 */
export class DriftMonitor {
  /** key → tracked window, null (no reference profile), a lookup in flight, or switched off */
  readonly #tracked = new Map<string, Tracked | null | Loading | Failed>();
  readonly #random: () => number;
  readonly #assessFn: Assess;
  /** rows of each pane at its last publish, by `model@version#epoch` */
  readonly #published = new Map<string, number>();

  constructor(private readonly deps: DriftMonitorDeps) {
    // reservoir sampling needs speed, not secrecy: a fast PRNG seeded once from the OS
    this.#random = deps.random ?? mulberry32(randomInt(2 ** 31));
    this.#assessFn = deps.assess ?? assessHere;
  }

  /**
   * Whether rows of this version are worth recording: false once it is known to have no reference
   * profile (or its monitoring failed), so callers can skip turning tensors into records.
   */
  wants(model: string, version: string): boolean {
    const tracked = this.#tracked.get(`${model}@${version}`);
    return tracked !== null && !(tracked instanceof Failed);
  }

  /** Bytes of rows held while reference profiles are read (approximate). */
  get heldBytes(): number {
    let n = 0;
    for (const t of this.#tracked.values()) if (t instanceof Loading) n += t.heldBytes;
    return n;
  }

  /** Data-plane observer: the rows of every answered request (native records, V2 read back). */
  readonly answers: AnswerObserver = {
    name: 'drift',
    observe: (a: Answer): void => {
      const answered = a.answered;
      if (a.model === undefined || a.version === undefined || !answered?.rows || !answered.predictions)
        return;
      this.observe(a.model, a.version, answered.rows, answered.predictions);
    },
  };

  /** Records predicted rows (hot path: never waits, never throws). */
  observe(
    model: string,
    version: string,
    rows: ReadonlyArray<Record<string, unknown>>,
    predictions: PredictionLike[],
  ): void {
    const key = `${model}@${version}`;
    const tracked = this.#tracked.has(key) ? this.#tracked.get(key)! : this.#load(key, model, version);
    if (tracked === null || tracked instanceof Failed) return;
    if (tracked instanceof Loading) {
      const max = this.deps.heldMaxBytes ?? DEFAULT_HELD_MAX_BYTES;
      let i = 0;
      for (; i < rows.length && tracked.held.length < HELD_ROWS; i++) {
        const bytes = approxRowBytes(rows[i]!);
        if (tracked.heldBytes + bytes > max) break;
        tracked.held.push([rows[i]!, predictions[i]!]);
        tracked.heldBytes += bytes;
      }
      if (i < rows.length) this.deps.onDropped?.(rows.length - i);
      return;
    }
    this.#record(key, model, version, rows, predictions);
  }

  /** Adds rows to a tracked window; a failure switches drift off for the version (logged), never throws. */
  #record(
    key: string,
    model: string,
    version: string,
    rows: ReadonlyArray<Record<string, unknown>>,
    predictions: PredictionLike[],
  ): void {
    const tracked = this.#tracked.get(key);
    if (!tracked || tracked instanceof Loading || tracked instanceof Failed) return;
    try {
      tracked.window.observeMany(
        rows,
        predictions.map((p) => tracked.value(p)),
      );
    } catch (err) {
      // monitoring must never fail a prediction that succeeded: stop tracking this version, say why
      this.#tracked.set(key, new Failed(err));
      this.deps.logger.error(
        { err, model, version },
        'drift monitor: observing failed; drift of this version is off',
      );
    }
  }

  /** The drift report of a version now. REFERENCE_NOT_FOUND when it has no reference profile. */
  async report(model: string, version: string): Promise<DriftReport> {
    const key = `${model}@${version}`;
    const pending = this.#tracked.has(key) ? this.#tracked.get(key) : this.#load(key, model, version);
    if (pending instanceof Loading) {
      await pending.done;
      if (pending.error !== undefined)
        throw new Error(`the reference profile of ${model} ${version} could not be read`, {
          cause: pending.error,
        });
    }
    const tracked = this.#tracked.get(key);
    if (tracked instanceof Failed)
      throw new Error(`drift monitoring of ${model} ${version} failed and is off`, { cause: tracked.cause });
    if (!tracked || tracked instanceof Loading) {
      throw new AppError(
        'REFERENCE_NOT_FOUND',
        `${model} ${version} was registered without reference data, so there is no drift to report; list a CSV sample as reference_data in the manifest of a new version`,
      );
    }
    return this.#current(tracked, 0);
  }

  /**
   * Reports of every tracked version, none older than `maxAgeMs` (for /metrics). A version whose
   * assessment fails is left out (and logged): one bad window must not take the scrape down.
   */
  async latest(maxAgeMs: number): Promise<DriftReport[]> {
    const now = this.deps.clock.nowMs();
    const tracked = [...this.#tracked.values()].filter(
      (t): t is Tracked => t instanceof Object && 'window' in t,
    );
    const reports = await Promise.all(
      tracked.map((t) =>
        this.#current(t, maxAgeMs, now).catch((err: unknown) => {
          // the last good report keeps the series (and alerts waiting on `for:`) alive meanwhile
          this.deps.logger.error({ err, model: t.model, version: t.version }, 'drift assessment failed');
          return t.latest?.report;
        }),
      ),
    );
    return reports.filter((r): r is DriftReport => r !== undefined);
  }

  /** Publishes the panes that changed since the last publish (cluster mode; a no-op otherwise). */
  async publish(): Promise<void> {
    const cluster = this.deps.cluster;
    if (!cluster) return;
    const changed: PublishedPane[] = [];
    const live: Array<{ model: string; version: string; epochs: number[] }> = [];
    const seen = new Set<string>();
    for (const t of this.#trackedWindows()) {
      const panes = t.window.livePanes();
      let moved = false;
      for (const p of panes) {
        const key = `${t.model}@${t.version}#${p.epoch}`;
        seen.add(key);
        if (this.#published.get(key) === p.rows) continue;
        moved = true;
        changed.push({ model: t.model, version: t.version, epoch: p.epoch, pane: encodePane(p) });
        this.#published.set(key, p.rows);
      }
      const prefix = `${t.model}@${t.version}#`;
      const left = [...this.#published.keys()].some((k) => k.startsWith(prefix) && !seen.has(k));
      if (moved || left) live.push({ model: t.model, version: t.version, epochs: panes.map((p) => p.epoch) });
    }
    for (const k of this.#published.keys()) if (!seen.has(k)) this.#published.delete(k);
    await cluster.store.publish(cluster.replicaId, this.deps.clock.nowMs(), changed, live);
  }

  #trackedWindows(): Tracked[] {
    return [...this.#tracked.values()].filter((t): t is Tracked => t instanceof Object && 'window' in t);
  }

  /** The other replicas' live panes of a version, and a token that changes when they do. */
  async #others(t: Tracked, now: number): Promise<{ panes: Pane[]; token: string }> {
    const cluster = this.deps.cluster;
    if (!cluster) return { panes: [], token: '' };
    const panes = (
      await cluster.store.panes(t.model, t.version, cluster.replicaId, now - cluster.staleMs)
    ).map(decodePane);
    // rows only grow within a pane, and panes come and go by epoch
    return { panes, token: `|${panes.map((p) => `${p.epoch}:${p.rows}`).join(',')}` };
  }

  /** The last assessment while nothing changed or it is younger than `maxAgeMs`; else a new one. */
  async #current(t: Tracked, maxAgeMs: number, now = this.deps.clock.nowMs()): Promise<DriftReport> {
    if (t.latest && now - t.latest.atMs < maxAgeMs) return t.latest.report;
    // no await without a cluster: concurrent callers must see `running` set synchronously
    const others = this.deps.cluster ? await this.#others(t, now) : { panes: [], token: '' };
    const token = t.window.changeToken + others.token;
    if (t.latest && t.latest.token === token) return t.latest.report;
    if (t.running) {
      if (t.running.token === token) return t.running.report;
      // the window moved on: one follow-up, shared by everyone who asks meanwhile, so requests
      // under traffic never queue an assessment each
      t.followUp ??= t.running.report
        .catch(() => undefined)
        .then(() => {
          t.followUp = undefined;
          return this.#current(t, 0);
        });
      return t.followUp;
    }
    const running: NonNullable<Tracked['running']> = {
      token,
      report: this.#assess(t, token, others.panes).finally(() => {
        if (t.running === running) t.running = undefined;
      }),
    };
    t.running = running;
    return running.report;
  }

  /** Snapshots the window now (its state at `token`), assesses it off this thread. */
  async #assess(t: Tracked, token: string, others: readonly Pane[]): Promise<DriftReport> {
    const live = t.window.snapshot(others);
    const at = this.deps.clock.now();
    const { window, options } = this.deps;
    const assessment = await this.#assessFn(t.reference.profile, live, options);
    const report = driftReportOf({
      model: t.model,
      version: t.version,
      at,
      window:
        window.kind === 'count'
          ? { kind: 'count', size: window.size, rows: live.rows }
          : { kind: 'time', size: window.seconds, rows: live.rows },
      reference: t.reference,
      live,
      assessment,
      options,
    });
    // a slower, older assessment never replaces a newer one
    if (!t.latest || t.latest.atMs <= at.getTime()) t.latest = { atMs: at.getTime(), token, report };
    return report;
  }

  #load(key: string, model: string, version: string): Loading {
    const loading = new Loading();
    this.#tracked.set(key, loading);
    loading.done = this.#read(key, model, version, loading);
    return loading;
  }

  async #read(key: string, model: string, version: string, loading: Loading): Promise<void> {
    try {
      const [v, reference] = await Promise.all([
        this.deps.sources.getVersion(model, version),
        this.deps.sources.getReference(model, version),
      ]);
      if (!v || !reference) {
        this.#tracked.set(key, null);
        return;
      }
      // the reference profile says what was tracked: a score (numeric) or a label
      const value = predictionValueOf(
        v.task,
        positiveLabel(v.manifest.outputs?.positive_label, v.signature.labels),
        reference.profile.prediction.kind === 'numeric',
      );
      const tracked: Tracked = {
        model,
        version,
        reference,
        value,
        window: new LiveWindow(reference.profile, this.deps.window, {
          now: () => this.deps.clock.nowMs(),
          random: this.#random,
        }),
      };
      this.#tracked.set(key, tracked);
    } catch (err) {
      // a failed lookup is tried again with the next prediction
      loading.error = err;
      this.#tracked.delete(key);
      this.deps.logger.warn({ err, model, version }, 'drift monitor: reference profile lookup failed');
      return;
    }
    this.#record(
      key,
      model,
      version,
      loading.held.map(([row]) => row),
      loading.held.map(([, p]) => p),
    );
  }
}
