import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CliError } from './cli-error.js';
import { parseDurationOption, parseTimeOption } from './time-option.js';

const NOW = Date.parse('2026-11-02T12:00:00.000Z');

describe('parseTimeOption', () => {
  const cases: Array<[string, string]> = [
    ['90s', '2026-11-02T11:58:30.000Z'],
    ['30m', '2026-11-02T11:30:00.000Z'],
    ['1h', '2026-11-02T11:00:00.000Z'],
    ['7d', '2026-10-26T12:00:00.000Z'],
    ['2w', '2026-10-19T12:00:00.000Z'],
    ['0m', '2026-11-02T12:00:00.000Z'],
    [' 1h ', '2026-11-02T11:00:00.000Z'],
    ['2026-11-01T00:00:00Z', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T01:30:00+01:00', '2026-11-01T00:30:00.000Z'],
    ['2026-11-01T00:00:00.250Z', '2026-11-01T00:00:00.250Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
  ];
  for (const [text, iso] of cases) {
    it(`reads '${text}' as ${iso}`, () => assert.equal(parseTimeOption('--since', text, NOW), iso));
  }

  for (const bad of ['', '1', 'h', '1.5h', '-1h', '1y', 'yesterday', '2026-13-01', '11/01/2026', '1h30m'])
    it(`refuses '${bad}' naming the option`, () => {
      assert.throws(
        () => parseTimeOption('--until', bad, NOW),
        (e: unknown) =>
          e instanceof CliError && e.code === 'USAGE' && e.detail.startsWith('--until takes a duration'),
      );
    });
});

describe('parseDurationOption', () => {
  const cases: Array<[string, number]> = [
    ['0s', 0],
    ['90s', 90],
    ['30m', 1800],
    ['12h', 43_200],
    ['30d', 2_592_000],
    ['2w', 1_209_600],
  ];
  for (const [text, seconds] of cases)
    it(`reads '${text}' as ${seconds} s`, () =>
      assert.equal(parseDurationOption('--older-than', text), seconds));
  for (const bad of ['', '30', 'd', '1.5d', '-1d', '2026-11-01'])
    it(`refuses '${bad}'`, () =>
      assert.throws(
        () => parseDurationOption('--older-than', bad),
        (e: unknown) => e instanceof CliError && e.detail.startsWith('--older-than takes a duration'),
      ));
});
