import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../shared/errors.js';
import { VersionBreakers } from './breakers.js';
import type { LoadedModel } from './loaded-model.js';

function fakeModel(key: string, behaviour: () => Promise<unknown>) {
  let calls = 0;
  const model = {
    key,
    predict: async () => {
      calls++;
      await behaviour();
      return { predictions: [{ value: 1 }], inferenceMs: 0.1 };
    },
  } as unknown as LoadedModel;
  return { model, calls: () => calls };
}

describe('circuit breakers per version (opossum)', () => {
  it('opens after repeated server failures, answers CIRCUIT_OPEN without running, and recovers', async () => {
    const breakers = new VersionBreakers({
      errorThresholdPercentage: 50,
      volumeThreshold: 5,
      resetTimeoutMs: 50,
    });
    let failing = true;
    const m = fakeModel('m@2', async () => {
      if (failing) throw new AppError('INFERENCE_FAILED', 'boom');
    });
    for (let i = 0; i < 5; i++)
      await assert.rejects(
        breakers.run(m.model, () => m.model.predict([{}], 1000)),
        /INFERENCE_FAILED/,
      );
    assert.equal(breakers.state('m@2'), 'open');
    const before = m.calls();
    await assert.rejects(
      breakers.run(m.model, () => m.model.predict([{}], 1000)),
      (err: unknown) => {
        assert.ok(err instanceof AppError);
        assert.equal(err.code, 'CIRCUIT_OPEN');
        assert.equal(err.extras.headers?.['retry-after'], '1');
        return true;
      },
    );
    assert.equal(m.calls(), before, 'an open breaker does not run the model');
    failing = false;
    await new Promise((resolve) => setTimeout(resolve, 70));
    const ok = await breakers.run(m.model, () => m.model.predict([{}], 1000));
    assert.deepEqual(ok.predictions, [{ value: 1 }]);
    assert.equal(breakers.state('m@2'), 'closed');
  });

  it('does not count client errors, and keeps versions apart', async () => {
    const breakers = new VersionBreakers({
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      resetTimeoutMs: 10_000,
    });
    const invalid = fakeModel('m@1', async () => {
      throw new AppError('VALIDATION_FAILED', 'bad input');
    });
    for (let i = 0; i < 10; i++)
      await assert.rejects(
        breakers.run(invalid.model, () => invalid.model.predict([{}], 1000)),
        /VALIDATION_FAILED/,
      );
    assert.equal(breakers.state('m@1'), 'closed');
    const broken = fakeModel('m@3', async () => {
      throw new AppError('INFERENCE_TIMEOUT', 'slow');
    });
    for (let i = 0; i < 3; i++)
      await assert.rejects(breakers.run(broken.model, () => broken.model.predict([{}], 1000)));
    assert.equal(breakers.state('m@3'), 'open');
    assert.equal(breakers.state('m@1'), 'closed');
  });
});
