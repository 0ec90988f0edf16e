// Ports for servers the tests start as separate processes (replicas, haproxy, PostgreSQL,
// Redis, Prometheus), which must be told a port before they bind it.
//
// A port from listen(0) is free at that instant, but it comes from the kernel's ephemeral range
// (net.ipv4.ip_local_port_range, 32768-60999 by default), the range every outgoing connection
// takes its local port from. Between the probe closing it and the child binding it, one of the
// many connections the tests open (a replica's own PostgreSQL pool, haproxy's health checks, a
// load run) can take it, and the child dies with EADDRINUSE: that flake once hung a CI run. The
// ports here come from below the ephemeral range, which the kernel never hands out on its own,
// and are probed before use; only another test choosing the same port at the same moment can
// still collide, which startReplica retries.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const [EPHEMERAL_LOW, EPHEMERAL_HIGH] = ephemeralRange();

function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // not Linux: assume the IANA dynamic range
  }
  return [49152, 65535];
}

/** [low, high] to draw from: below the ephemeral range when it leaves room, else above it. */
function poolRange(): [number, number] {
  if (EPHEMERAL_LOW - 1 >= 20_000) return [10_000, EPHEMERAL_LOW - 1];
  if (EPHEMERAL_HIGH + 1 <= 60_000) return [EPHEMERAL_HIGH + 1, 65_535];
  return [10_000, 65_535];
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * A loopback port nothing listens on, outside the range outgoing connections use. `range`
 * narrows the draw (the harness's own test).
 */
export async function freePort(range: [number, number] = poolRange()): Promise<number> {
  const [low, high] = range;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${low}-${high} after 100 tries`);
}
