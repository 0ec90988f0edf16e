import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Gauge, Registry } from 'prom-client';
import { MemoryWindowCounter } from '../store/window-counter.js';
import type { JsonMetrics, PrimaryMessage, WorkerMessage } from './messages.js';
import { PrimaryServices, type WorkerHandle } from './primary-services.js';
import { WorkerChannel, type ChannelPort } from './worker-channel.js';

/** A worker's channel wired to a PrimaryServices in memory, as node:cluster's IPC would. */
function wire(services: () => PrimaryServices) {
  const listeners = new Set<(m: unknown) => void>();
  const handle: WorkerHandle = {
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
  it('every worker counts in the one window counter of the primary', async () => {
    let now = 1000;
    const channels: WorkerChannel[] = [];
    const services = new PrimaryServices({
      counter: new MemoryWindowCounter(() => now),
      serving: () => [],
      own: async () => [],
      collectTimeoutMs: 100,
    });
    for (let i = 0; i < 2; i++) channels.push(new WorkerChannel(wire(() => services).port));
    const [a, b] = channels as [WorkerChannel, WorkerChannel];
    assert.deepEqual(await a.counter.increment('rl:predict:k1', 60_000), { count: 1, ttlMs: 60_000 });
    now += 1000;
    assert.deepEqual(await b.counter.increment('rl:predict:k1', 60_000), { count: 2, ttlMs: 59_000 });
    assert.deepEqual(await a.counter.peek('rl:predict:k1'), { count: 2, ttlMs: 59_000 });
    assert.equal(await b.counter.peek('authfail:1.2.3.4'), undefined);
    for (const c of channels) c.close();
  });

  it('a scrape through any worker aggregates every worker and the primary', async () => {
    const workers: Array<{ channel: WorkerChannel; handle: WorkerHandle }> = [];
    const primary = new Registry();
    new Gauge({ name: 'workers', help: 'w', registers: [primary] }).set(2);
    const services = new PrimaryServices({
      counter: new MemoryWindowCounter(),
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
    const silent: WorkerHandle = { send: () => undefined };
    const registry = registryWith(5, 1);
    const handles: WorkerHandle[] = [silent];
    const services: PrimaryServices = new PrimaryServices({
      counter: new MemoryWindowCounter(),
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

  it('a request the primary never answers fails after its timeout', async () => {
    const port: ChannelPort = { send: () => undefined, onMessage: () => () => undefined };
    const channel = new WorkerChannel(port, { countMs: 20, scrapeMs: 20 });
    await assert.rejects(channel.counter.increment('k', 1000), /did not answer within 20 ms/);
    await assert.rejects(channel.scrape(), /did not answer within 20 ms/);
    channel.close();
  });
});
