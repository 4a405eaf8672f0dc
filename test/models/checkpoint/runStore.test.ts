import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostTensor } from '../../../dsl/host.ts';
import { checkpointConfig, runCheckpointStore } from '../../../models/checkpoint/index.ts';
import { adamwInit } from '../../../train/optim/adamw.ts';
import { makeTmpDir } from '../../corpora/tmpDir.ts';
import { expectSameTree, randomMlmParams, tinyConfig } from './fixtures.ts';

describe('runCheckpointStore', () => {
  it('saves trainer checkpoints and resumes the newest with the same state, step and cursor', () => {
    const run = makeTmpDir('pretext-store-');
    const config = tinyConfig({ layers: 1 });
    const state = (seed: number) => {
      const params = randomMlmParams(config, seed);
      return { params, extra: { seen: new HostTensor(['vocab'], [13], 'i32', Int32Array.from({ length: 13 }, (_, i) => i * seed)) }, opt: adamwInit(params) };
    };
    const store = runCheckpointStore(run, {
      config: checkpointConfig({ encoder: config, objective: { name: 'mlm' }, vocab: { file: 'vocab.txt' } }),
      files: { 'vocab.txt': 'x\n' }, keep: 2, trainer: { seed: 9 }, expected: state(1),
    });
    expect(store.latest()).toBeUndefined();
    for (const step of [10, 20, 30]) store.save({ state: state(step), step, cursor: { epoch: 1, position: step * 4 } });
    const ck = store.latest()!;
    expect(ck.step).toBe(30);
    expect(ck.cursor).toEqual({ epoch: 1, position: 120 });
    expectSameTree(ck.state.params, state(30).params);
    expectSameTree(ck.state.extra, state(30).extra);
    expectSameTree(ck.state.opt, state(30).opt);
    expect(JSON.parse(readFileSync(join(run, 'step-000030', 'trainer.json'), 'utf8'))).toEqual({ seed: 9, step: 30, cursor: { epoch: 1, position: 120 } });
    expect(readFileSync(join(run, 'latest'), 'utf8').trim()).toBe('step-000030');
  });
});
