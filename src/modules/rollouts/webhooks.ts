import { createHmac } from 'node:crypto';
import pRetry, { AbortError } from 'p-retry';
import type { Logger } from 'pino';
import { checkOutboundUrl, safeFetch, type OutboundPolicy } from '../../shared/outbound-url.js';
import type { RolloutEvent } from './types.js';

export interface WebhookOptions {
  urls: string[];
  /** HMAC-SHA256 key; the signature header is omitted without one */
  secret?: string;
  format: 'json' | 'slack';
  outbound: OutboundPolicy;
  logger: Logger;
  timeoutMs?: number;
  retries?: number;
  /** test seam: the fetch used (safeFetch through the outbound policy by default) */
  fetch?: (
    url: string,
    init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
  ) => Promise<Response>;
}

export const SIGNATURE_HEADER = 'x-modelgate-signature';
export const TIMESTAMP_HEADER = 'x-modelgate-timestamp';

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`): receivers recompute and compare. */
export function signature(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * Rollout events to webhooks: JSON (or a Slack-compatible `{text}`), signed, with a timeout and
 * retries with exponential backoff. Sent in the background: a slow or dead receiver never delays
 * a rollout decision. URLs are checked by the outbound URL policy when the notifier is built.
 */
export class WebhookNotifier {
  readonly #pending = new Set<Promise<void>>();

  constructor(private readonly options: WebhookOptions) {
    for (const url of options.urls) checkOutboundUrl(url, options.outbound);
  }

  send(e: RolloutEvent): void {
    for (const url of this.options.urls) {
      const p = this.#deliver(url, e).finally(() => this.#pending.delete(p));
      this.#pending.add(p);
    }
  }

  /** Waits for deliveries in flight (shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  payload(e: RolloutEvent): string {
    const r = e.rollout;
    if (this.options.format === 'slack') {
      const icon = {
        started: ':rocket:',
        step_advanced: ':arrow_forward:',
        paused: ':double_vertical_bar:',
        resumed: ':arrow_forward:',
        promoted: ':white_check_mark:',
        rolled_back: ':rotating_light:',
        aborted: ':octagonal_sign:',
      }[e.type];
      return JSON.stringify({
        text: `${icon} modelgate rollout ${r.id} of *${r.model}* ${r.baseline} → ${r.candidate}: *${e.type.replace('_', ' ')}*: ${e.detail}`,
      });
    }
    return JSON.stringify({
      event: `rollout.${e.type}`,
      detail: e.detail,
      rollout: {
        id: r.id,
        model: r.model,
        candidate: r.candidate,
        baseline: r.baseline,
        strategy: r.strategy,
        state: r.state,
        step_index: r.stepIndex,
        reason: r.reason,
      },
    });
  }

  async #deliver(url: string, e: RolloutEvent): Promise<void> {
    const body = this.payload(e);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'modelgate-webhooks',
      [TIMESTAMP_HEADER]: timestamp,
    };
    if (this.options.secret) headers[SIGNATURE_HEADER] = signature(this.options.secret, timestamp, body);
    const post =
      this.options.fetch ??
      ((
        u: string,
        init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
      ) => safeFetch(u, this.options.outbound, init));
    try {
      await pRetry(
        async () => {
          const res = await post(url, {
            method: 'POST',
            headers,
            body,
            signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
          });
          await res.arrayBuffer().catch(() => undefined);
          if (res.status >= 500 || res.status === 429) throw new Error(`receiver answered ${res.status}`);
          if (res.status >= 300) throw new AbortError(`receiver answered ${res.status}; not retried`);
        },
        { retries: this.options.retries ?? 4, minTimeout: 200, factor: 2, maxTimeout: 5000 },
      );
    } catch (err) {
      this.options.logger.warn(
        { err, url: new URL(url).origin, event: e.type, rollout: e.rollout.id },
        'webhook delivery failed',
      );
    }
  }
}
