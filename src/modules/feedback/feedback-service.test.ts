import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rocAucOf } from '../rollouts/statistics.js';
import { performanceOf } from './feedback-service.js';

describe('live performance', () => {
  it('computes ROC-AUC as the rank probability (sklearn roc_auc_score values)', () => {
    // sklearn.metrics.roc_auc_score([0,0,1,1], [0.1,0.4,0.35,0.8]) == 0.75
    const s = [0.1, 0.4, 0.35, 0.8].map((score, i) => ({ score, pos: i >= 2 }));
    assert.equal(rocAucOf(s), 0.75);
    // ties count half: roc_auc_score([0,1], [0.5,0.5]) == 0.5
    assert.equal(
      rocAucOf([
        { score: 0.5, pos: false },
        { score: 0.5, pos: true },
      ]),
      0.5,
    );
    assert.equal(rocAucOf([{ score: 0.5, pos: true }]), null);
  });

  it('computes accuracy and MAE', () => {
    const cls = performanceOf(
      '1',
      [
        { predicted: { label: 'a', probabilities: { a: 0.9, b: 0.1 } }, truth: 'a' },
        { predicted: { label: 'a', probabilities: { a: 0.6, b: 0.4 } }, truth: 'b' },
        { predicted: { label: 'b', probabilities: { a: 0.2, b: 0.8 } }, truth: 'b' },
      ],
      'b',
    );
    assert.deepEqual(cls, { version: '1', labelled: 3, accuracy: 0.6667, roc_auc: 1, mae: null });
    const reg = performanceOf(
      '2',
      [
        { predicted: { value: 10 }, truth: 12 },
        { predicted: { value: 5 }, truth: 4 },
      ],
      undefined,
    );
    assert.equal(reg.mae, 1.5);
  });
});
