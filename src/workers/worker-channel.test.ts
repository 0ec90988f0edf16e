import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Gauge, Registry } from 'prom-client';
import { setTimeout as sleep } from 'node:timers/promises';
import { SharedWindows } from './shared-windows.js';
import type { JsonMetrics, PrimaryMessage, WorkerMessage } from './messages.js';
import { PrimaryServices, type WorkerHandle } from './primary-services.js';
import { WorkerChannel, type ChannelPort } from './worker-channel.js';

/** A worker's channel wired to a PrimaryServices in memory, as node:cluster's IPC would. */
function wire(services: () => PrimaryServices, slot = 1) {
  const listeners = new Set<(m: unknown) => void>();
  const handle: WorkerHandle = {
    slot,
    // structured clone on the way, like the IPC's serialization
    send: (m: PrimaryMessage) => queueMicrotask(() => listeners.forEach((l) => l(structuredClone(m)))),
  };
  const port: ChannelPort = {
    send: (m: WorkerMessage) => queueMicrotask(() => void services().handle(handle, structuredClone(m))),
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { port, handle };
}

function registryWith(requests: number, ready: number): Registry {
  const registry = new Registry();
  new Counter({ name: 'req_total', help: 'r', registers: [registry] }).inc(requests);
  new Gauge({ name: 'ready', help: 'r', aggregator: 'min', registers: [registry] }).set(ready);
  return registry;
}

describe('WorkerChannel and PrimaryServices', () => {
  it("every worker counts at once, and learns the others' hits after a sync", async () => {
    const handles: WorkerHandle[] = [];
    const services: PrimaryServices = new PrimaryServices({
      windows: new SharedWindows(),
      syncMs: 5,
      serving: () => handles,
      own: async () => [],
      collectTimeoutMs: 100,
    });
    const channels = [1, 2].map((slot) => {
      const { port, handle } = wire(() => services, slot);
      handles.push(handle);
      return new WorkerChannel(port);
    });
    const [a, b] = channels as [WorkerChannel, WorkerChannel];
    // the channel's counter runs on the wall clock: counts only here (ttl: synced-window-counter.test)
    const count = async (p: Promise<{ count: number } | undefined>) => (await p)?.count;
    assert.equal(await count(a.counter.increment('rl:predict:k1', 60_000)), 1);
    assert.equal(await count(a.counter.increment('rl:predict:k1', 60_000)), 2);
    assert.equal(await b.counter.peek('rl:predict:k1'), undefined, 'not synced yet');
    await sleep(40); // a's sync (10 ms), then the primary's broadcast (5 ms)
    assert.equal(await count(b.counter.peek('rl:predict:k1')), 2);
    assert.equal(await count(b.counter.increment('rl:predict:k1', 60_000)), 3);
    await sleep(40);
    assert.equal(await count(a.counter.peek('rl:predict:k1')), 3);
    // a worker that starts later learns every open window when it says it serves
    const late = wire(() => services, 3);
    const c = new WorkerChannel(late.port);
    services.welcome(late.handle);
    await sleep(5);
    assert.equal(await count(c.counter.peek('rl:predict:k1')), 3);
    for (const ch of [...channels, c]) ch.close();
  });

  it('a scrape through any worker aggregates every worker and the primary', async () => {
    const workers: Array<{ channel: WorkerChannel; handle: WorkerHandle }> = [];
    const primary = new Registry();
    new Gauge({ name: 'workers', help: 'w', registers: [primary] }).set(2);
    const services = new PrimaryServices({
      windows: new SharedWindows(),
      serving: () => workers.map((w) => w.handle),
      own: () => primary.getMetricsAsJSON(),
      collectTimeoutMs: 1000,
    });
    for (const [requests, ready] of [
      [3, 1],
      [4, 0],
    ] as const) {
      const { port, handle } = wire(() => services);
      const channel = new WorkerChannel(port);
      const registry = registryWith(requests, ready);
      channel.serveCollect(() => registry.getMetricsAsJSON());
      workers.push({ channel, handle });
    }
    const text = await workers[1]!.channel.scrape();
    assert.match(text, /^req_total 7$/m, 'counters are summed');
    assert.match(text, /^ready 0$/m, 'a gauge declared with aggregator min takes the lowest');
    assert.match(text, /^workers 2$/m, "the primary's own metrics are included");
    for (const w of workers) w.channel.close();
  });

  it('a worker that does not answer is left out of the scrape after the timeout', async () => {
    const silent: WorkerHandle = { slot: 2, send: () => undefined };
    const registry = registryWith(5, 1);
    const handles: WorkerHandle[] = [silent];
    const services: PrimaryServices = new PrimaryServices({
      windows: new SharedWindows(),
      serving: () => handles,
      own: async () => [] as JsonMetrics,
      collectTimeoutMs: 50,
    });
    const answering = wire(() => services);
    handles.push(answering.handle);
    const channel = new WorkerChannel(answering.port);
    channel.serveCollect(() => registry.getMetricsAsJSON());
    const started = performance.now();
    assert.match(await channel.scrape(), /^req_total 5$/m);
    assert.ok(performance.now() - started >= 45, 'it waited for the silent worker up to the timeout');
    channel.close();
  });

  it('a scrape the primary never answers fails after its timeout', async () => {
    const port: ChannelPort = { send: () => undefined, onMessage: () => () => undefined };
    const channel = new WorkerChannel(port, { scrapeMs: 20 });
    await assert.rejects(channel.scrape(), /did not answer within 20 ms/);
    channel.close();
  });
});
