// Child process for the logger tests: logs one line through createLogger (buffered stdout, as the
// server does), says so on stderr, then does what argv[2] asks: stay alive, throw, or reject.
import { createLogger } from '../../src/shared/logger.js';

const log = createLogger({ level: 'info' });
log.info({ marker: process.argv[3] }, 'one line');
process.stderr.write('logged\n');
switch (process.argv[2]) {
  case 'stay':
    setInterval(() => undefined, 60_000);
    break;
  case 'throw':
    throw new Error('crash right after logging');
  case 'reject':
    void Promise.reject(new Error('unhandled right after logging'));
    setInterval(() => undefined, 60_000);
    break;
}
