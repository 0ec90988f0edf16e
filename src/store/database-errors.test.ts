import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../shared/errors.js';
import {
  connectivityReason,
  databaseUnavailable,
  isConnectivityError,
  isLostConnection,
} from './database-errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isConnectivityError', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['connection refused', withCode('ECONNREFUSED'), true],
    ['connection reset', withCode('ECONNRESET'), true],
    ['host not found', withCode('ENOTFOUND'), true],
    [
      'IPv4 and IPv6 both refused',
      new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]),
      true,
    ],
    ['terminated by the administrator', withCode('57P01'), true],
    ['server starting up', withCode('57P03'), true],
    ['statement timeout', withCode('57014'), true],
    ['idle in transaction timeout', withCode('25P03'), true],
    ['connection exception class 08', withCode('08006'), true],
    ['too many connections', withCode('53300'), true],
    ['lost connection (driver)', new Error('Connection terminated unexpectedly'), true],
    ['connect timeout (driver)', new Error('timeout expired'), true],
    ['pool wait timeout (driver)', new Error('timeout exceeded when trying to connect'), true],
    ['client read timeout (driver)', new Error('Query read timeout'), true],
    ['already mapped', databaseUnavailable(new Error('x')), true],
    ['unique violation', withCode('23505'), false],
    ['undefined table', withCode('42P01'), false],
    ['bad password', withCode('28P01'), false],
    ['another AppError', new AppError('MODEL_NOT_FOUND', 'x'), false],
    ['a message that merely mentions a timeout', new Error('the timeout expired for good'), false],
    ['not an error', 'ECONNREFUSED', false],
    ['null', null, false],
  ];
  for (const [name, err, expected] of cases) {
    it(`${name} → ${expected}`, () => assert.equal(isConnectivityError(err), expected));
  }
});

describe('isLostConnection', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['terminated by the administrator', withCode('57P01'), true],
    ['crash shutdown', withCode('57P02'), true],
    ['connection reset', withCode('ECONNRESET'), true],
    ['broken pipe', withCode('EPIPE'), true],
    ['connection failure (08006)', withCode('08006'), true],
    ['lost connection (driver)', new Error('Connection terminated unexpectedly'), true],
    [
      'client broken (driver)',
      new Error('Client has encountered a connection error and is not queryable'),
      true,
    ],
    // not lost: it never opened, or it timed out (a retry would only wait again)
    ['connection refused', withCode('ECONNREFUSED'), false],
    ['statement timeout', withCode('57014'), false],
    ['server starting up', withCode('57P03'), false],
    ['connect timeout (driver)', new Error('timeout expired'), false],
    ['client read timeout (driver)', new Error('Query read timeout'), false],
    [
      'connection terminated due to connection timeout',
      new Error('Connection terminated due to connection timeout'),
      false,
    ],
    ['unique violation', withCode('23505'), false],
    ['null', null, false],
  ];
  for (const [name, err, expected] of cases) {
    it(`${name} → ${expected}`, () => assert.equal(isLostConnection(err), expected));
  }
});

describe('databaseUnavailable', () => {
  it('is a 503 with Retry-After whose detail names no internals; the cause stays for the log', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432'), { code: 'ECONNREFUSED' });
    const err = databaseUnavailable(cause);
    assert.equal(err.code, 'DATABASE_UNAVAILABLE');
    assert.equal(err.status, 503);
    assert.deepEqual(err.extras.headers, { 'retry-after': '5' });
    assert.doesNotMatch(err.detail, /10\.1\.2\.3|5432|ECONNREFUSED/);
    assert.equal(err.cause, cause);
  });
});

describe('connectivityReason', () => {
  const cases: Array<[unknown, string]> = [
    [withCode('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:5432'), 'connection failed (ECONNREFUSED)'],
    [withCode('57014'), 'statement timeout'],
    [withCode('57P01'), 'connection lost (SQLSTATE 57P01)'],
    [new Error('Query read timeout'), 'timed out'],
    [new Error('Connection terminated unexpectedly'), 'connection lost'],
    [databaseUnavailable(withCode('ECONNRESET')), 'connection failed (ECONNRESET)'],
    [new AggregateError([withCode('ECONNREFUSED')]), 'connection failed'],
  ];
  for (const [err, expected] of cases) {
    it(`${String((err as Error).message || (err as { code?: string }).code)} → ${expected}`, () =>
      assert.equal(connectivityReason(err), expected));
  }
});
