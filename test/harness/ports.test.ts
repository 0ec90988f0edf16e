// The test harness's port choice (test/helpers/ports.ts): a port outside the kernel's ephemeral
// range, which nothing listens on, so a server told it can bind it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freePort } from '../helpers/ports.js';

describe('freePort', () => {
  it('gives distinct bindable ports outside the ephemeral range outgoing connections use', async () => {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      assert.ok(port < low! || port > high!, `${port} is inside ${low}-${high}`);
      assert.ok(port >= 1024 && port <= 65_535, `${port}`);
    }
    assert.ok(new Set(ports).size >= 18, `20 draws gave ${new Set(ports).size} distinct ports`);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports[0], '127.0.0.1', resolve);
    });
    assert.equal((server.address() as { port: number }).port, ports[0]);
    await new Promise((resolve) => server.close(resolve));
  });

  it('never gives a port something already listens on', async () => {
    // hold all but one port of a small range: the one left is the only answer
    const base = await freePort();
    const range: [number, number] = [base, base + 4];
    const servers = [];
    for (let port = base; port < base + 4; port++) {
      const s = createServer();
      const ok = await new Promise<boolean>((resolve) => {
        s.once('error', () => resolve(false));
        s.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (ok) servers.push(s);
    }
    try {
      assert.equal(servers.length, 4, 'the four ports to hold were free');
      for (let i = 0; i < 20; i++) assert.equal(await freePort(range), base + 4);
    } finally {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  });
});
