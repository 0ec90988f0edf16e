import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { ModelgateApiError, ModelgateConnectionError } from '../client/client.js';
import { ModelgateLocalError } from '../client/local-files.js';
import { ConfigError } from '../config/load-config.js';
import { AppError } from '../shared/errors.js';
import { CliError } from './cli-error.js';
import { endQuietlyWhenReaderCloses, reportFailure, SilentExit } from './output.js';

function report(err: unknown): { code: number; lines: string[] } {
  const lines: string[] = [];
  const code = reportFailure({ out: () => assert.fail('nothing on stdout'), err: (t) => lines.push(t) }, err);
  return { code, lines };
}

const fsError = (): unknown => {
  try {
    writeFileSync(tmpdir(), 'x');
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
};

describe('reportFailure', () => {
  const cases: Array<[string, unknown, number, string[]]> = [
    [
      'a server answer: its code, then one line per field problem',
      new ModelgateApiError(422, {
        code: 'VALIDATION_FAILED',
        detail: '/instances/0/a: must be <= 60, got 75',
        errors: [{ pointer: '/instances/0/a', detail: 'must be <= 60, got 75' }],
      }),
      1,
      [
        'error: VALIDATION_FAILED: /instances/0/a: must be <= 60, got 75',
        '  /instances/0/a: must be <= 60, got 75',
      ],
    ],
    [
      'an unreachable server exits 2',
      new ModelgateConnectionError('http://127.0.0.1:1', new Error('refused')),
      2,
      ['error: SERVER_UNREACHABLE: cannot reach modelgate at http://127.0.0.1:1: refused'],
    ],
    [
      'a local file problem',
      new ModelgateLocalError('FILE_NOT_FOUND', 'x.yaml: no such file', 'x.yaml'),
      1,
      ['error: FILE_NOT_FOUND: x.yaml: no such file'],
    ],
    [
      'a usage error',
      new CliError('USAGE', '--limit takes an integer'),
      1,
      ['error: USAGE: --limit takes an integer'],
    ],
    [
      'a local service error (keys --local)',
      new AppError('API_KEY_NOT_FOUND', "no key 'x'"),
      1,
      ["error: API_KEY_NOT_FOUND: no key 'x'"],
    ],
    [
      'every bad configuration key on one line',
      new ConfigError(['port: must be an integer', 'home: is empty']),
      1,
      ['error: CONFIG_INVALID: port: must be an integer; home: is empty'],
    ],
    [
      'a file error of Node, naming the file',
      fsError(),
      1,
      [`error: FILE_ERROR: ${tmpdir()}: is a directory, not a file`],
    ],
    ['anything else, on one line', new Error('boom\n  at x'), 1, ['error: CLI_FAILED: boom at x']],
    ['an exit after output says nothing more', new SilentExit(1), 1, []],
  ];
  for (const [name, err, code, lines] of cases)
    it(name, () => assert.deepEqual(report(err), { code, lines }));
});

describe('endQuietlyWhenReaderCloses', () => {
  it('ends with status 0 when the reader of standard output goes away (EPIPE)', () => {
    const stream = new EventEmitter() as NodeJS.WriteStream;
    const exits: number[] = [];
    endQuietlyWhenReaderCloses(stream, (code) => exits.push(code));
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    assert.deepEqual(exits, [0]);
    assert.throws(() => stream.emit('error', Object.assign(new Error('disk'), { code: 'EIO' })), /disk/);
    assert.deepEqual(exits, [0]);
  });
});
