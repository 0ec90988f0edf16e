import type pg from 'pg';
import { loadPg } from './database.js';
import { backoffDelay, type BackoffPolicy } from '../shared/backoff.js';
import type { Logger } from '../shared/logger.js';
import type { ChangeSignal } from './change-follower.js';

export const CHANGE_CHANNEL = 'modelgate_changes';

export interface PgChangeSignalOptions {
  url: string;
  /** the schema whose changes this replica follows (search_path), if not the URL's own */
  pgSchema?: string | undefined;
  connectTimeoutMs: number;
  backoff: BackoffPolicy;
  logger: Logger;
  /** connected (true) or lost (false), for the gauge */
  onConnected?: (connected: boolean) => void;
}

/**
 * `LISTEN modelgate_changes` on a dedicated connection (outside the pool: a listening session
 * must stay open). A notification of this replica's schema wakes the follower; one of another
 * schema is ignored. A lost connection is reopened with capped backoff, and every (re)connection
 * also wakes the follower, since notifications sent while it was down are gone: the change log
 * itself is the truth, the notification only says "read it now".
 */
export class PgChangeSignal implements ChangeSignal {
  #client: pg.Client | undefined;
  #connected = false;
  #closed = false;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #onChange: () => void = () => undefined;

  constructor(private readonly options: PgChangeSignalOptions) {}

  get connected(): boolean {
    return this.#connected;
  }

  start(onChange: () => void): void {
    this.#onChange = onChange;
    void this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    this.#setConnected(false);
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const { url, pgSchema, connectTimeoutMs, logger } = this.options;
    const client = new (loadPg().Client)({
      connectionString: url,
      connectionTimeoutMillis: connectTimeoutMs,
      keepAlive: true,
      ...(pgSchema ? { options: `-c search_path=${pgSchema}` } : {}),
    });
    this.#client = client;
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost || this.#closed) return;
      lost = true;
      // once per outage (a lost connection), not at every failed attempt to reopen it
      if (this.#connected || this.#attempt === 0)
        logger.warn({ err: err?.message }, 'change notifications lost; reconnecting');
      this.#setConnected(false);
      void client.end().catch(() => undefined);
      this.#retry();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    try {
      await client.connect();
      const schema = (await client.query<{ s: string }>('select current_schema() as s')).rows[0]?.s ?? '';
      await client.query(`set application_name = ${client.escapeLiteral(`modelgate-changes:${schema}`)}`);
      client.on('notification', (n) => {
        if (n.channel === CHANGE_CHANNEL && n.payload?.startsWith(`${schema}:`)) this.#onChange();
      });
      await client.query(`listen ${CHANGE_CHANNEL}`);
      if (this.#closed || lost) return;
      this.#attempt = 0;
      this.#setConnected(true);
      logger.info({ schema }, 'listening for changes');
      // whatever was committed while not listening is read now
      this.#onChange();
    } catch (err) {
      onLost(err as Error);
    }
  }

  #retry(): void {
    if (this.#closed) return;
    const delay = backoffDelay(this.#attempt++, this.options.backoff);
    this.#timer = setTimeout(() => void this.#connect(), delay);
    this.#timer.unref();
  }

  #setConnected(connected: boolean): void {
    if (this.#connected === connected) return;
    this.#connected = connected;
    this.options.onConnected?.(connected);
  }
}
