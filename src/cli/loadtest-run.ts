import autocannon from 'autocannon';
import { summariseLoadtest, type LoadtestSummary, type Sample } from './loadtest-summary.js';

export interface LoadtestRun {
  url: string;
  apiKey?: string;
  body: string;
  durationS: number;
  connections: number;
  /** requests per second over all connections; unlimited when absent */
  rate?: number;
  /** called once a second with the seconds elapsed and the answers in that second */
  onTick?: (second: number, answers: number) => void;
}

/**
 * Drives POST load at one URL with autocannon (keep-alive connections, optional overall rate) and
 * records every answer's latency and status, for the percentiles per second that its own summary
 * does not give.
 */
export async function runLoadtest(o: LoadtestRun): Promise<LoadtestSummary> {
  const samples: Sample[] = [];
  let started = 0;
  let second = 0;
  let done!: (r: autocannon.Result) => void;
  let failed!: (err: unknown) => void;
  const finished = new Promise<autocannon.Result>((resolve, reject) => ((done = resolve), (failed = reject)));
  const instance = autocannon(
    {
      url: o.url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}),
      },
      body: o.body,
      duration: o.durationS,
      connections: o.connections,
      ...(o.rate ? { overallRate: o.rate } : {}),
      timeout: 10,
    },
    (err: unknown, result: autocannon.Result) => (err ? failed(err) : done(result)),
  );
  started = performance.now();
  instance.on('response', (_client: unknown, status: number, _bytes: number, latencyMs: number) => {
    samples.push({ atMs: performance.now() - started, latencyMs, status });
  });
  // progress from our own samples (autocannon's typings do not declare its tick event)
  let reported = 0;
  const ticker = setInterval(() => {
    o.onTick?.(++second, samples.length - reported);
    reported = samples.length;
  }, 1000);
  const result = await finished.finally(() => clearInterval(ticker));
  const durationS = (performance.now() - started) / 1000;
  return summariseLoadtest(samples, durationS, { errors: result.errors, timeouts: result.timeouts });
}
