import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { it } from 'node:test';
import { REPO } from '../helpers/server.js';

/**
 * Memory under large requests, measured on a real server process by scripts/memory-load.ts:
 * 1,000-row predict requests (805 kB bodies) from 8 connections. Before: the prediction log kept
 * its last 100,000 requests with every prediction in them, and RSS climbed without bound (223 →
 * 459 MB in 60 s on this machine, 4.26 GB in the original report). The full 60 s run is
 * `npx tsx scripts/memory-load.ts`; 30 s here reach the plateau (it levels off within ~10 s).
 *
 * The load is offered at a fixed rate, 60 requests a second (48 MB/s of bodies), and the bound
 * is 400 MB. The plateau is where V8 settles with such requests in flight: the old generation
 * cycles between the live data (~60 MB under this load, ~35 MB idle) and its next collection
 * (~110 MB) several times a second. It was 235 MB when the bound was set at 300 and the server
 * answered ~10 of these requests a second. In December 2026, with the server as fast as the load
 * generator let it be (~130 a second), it was 307–334 MB alone and 316–352 MB in four CI runs
 * (other tests beside it starve the collector's threads), rising with each speed-up of the
 * server: so the rate is fixed now, and the bound leaves room for a busy machine. The leak this
 * test is for climbs without levelling off (the level check below); its old form kept every
 * prediction of the last 100,000 requests, several MB a second at this rate.
 */
it('1,000-row requests keep the server under 400 MB of RSS, levelled off rather than climbing', async (t) => {
  const SECONDS = 60;
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/memory-load.ts',
        '--seconds',
        String(SECONDS),
        '--rows',
        '1000',
        '--rate',
        '60',
        '--max-rss-mb',
        '400',
      ],
      {
        cwd: REPO,
        timeout: 180_000,
        maxBuffer: 1 << 20,
        // every request is served (none shed on a busy machine): memory per answered request is
        // what is measured, and the old prediction log leaked in proportion to it
        env: { ...process.env, MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '0' },
      },
      (err, stdout, stderr) => (stdout.trim() ? resolve(stdout) : reject(err ?? new Error(stderr))),
    ),
  );
  const summary = JSON.parse(out.trim().split('\n').at(-1)!) as {
    ok: number;
    errors: number;
    rss_start_mb: number;
    rss_max_mb: number;
    rss_max_by_tenth_mb: number[];
    memory_dropped: string[];
  };
  t.diagnostic(JSON.stringify(summary));
  assert.ok(summary.ok >= 20, `the server answered ${summary.ok} requests: the load was real`);
  assert.equal(summary.errors, 0);
  assert.ok(summary.rss_max_mb < 400, `RSS reached ${summary.rss_max_mb} MB`);
  // levelled off: the last third is not higher than the first half, give or take the GC's swing
  const tenths = summary.rss_max_by_tenth_mb;
  const early = Math.max(...tenths.slice(0, 5));
  const late = Math.max(...tenths.slice(7));
  assert.ok(late <= early + 50, `still climbing: ${tenths.join(' → ')} MB`);
});
