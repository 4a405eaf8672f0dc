import type { Tensor } from '../../dsl/tensor.ts';
import { hostTensor } from '../../dsl/host.ts';
import type { Concrete } from '../../dsl/trace.ts';
import { type Key, splitKey } from '../../prng/key.ts';
import { type MlmBatch, maskTokens, mlmBatch } from '../mlm.ts';
import type { TokenBatch } from '../objective.ts';
import type { ResolvedTacoOptions, ResolvedTokenContrastiveOptions, TcAnchorSet } from './options.ts';
import { type TcSamples, sampleTcPairs, tcCandidateIndices } from './sampler.ts';

/** The TC part of a batch: candidates (i32 ['batch', 'seq', 'candidate']) and the anchor set (bool ['batch', 'seq']). */
export interface TcBatch {
  readonly tcCandidates: Tensor<['batch', 'seq', 'candidate']>;
  readonly tcAnchors: Tensor<['batch', 'seq']>;
}

export type TacoBatch = MlmBatch & TcBatch;

/** Anchors: tokens with a positive, restricted to the chosen set (selected = the MLM prediction set S). */
export function tcAnchorMask(samples: TcSamples, selected: Uint8Array, set: TcAnchorSet): Uint8Array {
  return samples.hasPositive.map((has, i) => (has && (set === 'all' || (set === 'masked') === (selected[i] === 1)) ? 1 : 0));
}

/** Draws the TC samples of a batch and lays them out as tensors. `selected` is S (for the anchor variants). */
export function tcBatch(tokens: TokenBatch, key: Key, selected: Uint8Array, o: ResolvedTokenContrastiveOptions): { batch: Concrete<TcBatch>; samples: TcSamples } {
  const samples = sampleTcPairs(key, tokens, o);
  const { rows, seqLen } = tokens;
  return {
    samples,
    batch: {
      tcCandidates: hostTensor(tcCandidateIndices(samples), ['batch', 'seq', 'candidate'], [rows, seqLen, o.negatives + 1], 'i32'),
      tcAnchors: hostTensor(tcAnchorMask(samples, selected, o.anchors), ['batch', 'seq'], [rows, seqLen], 'bool'),
    },
  };
}

/**
 * Host side of TACO (pure in the key): HF Bernoulli masking from sub-key 0 — the same stream
 * mlmObjective masks with, so w = 0 reproduces plain MLM — and the TC samples from sub-key 1.
 */
export function tacoBatch(tokens: TokenBatch, key: Key, o: ResolvedTacoOptions): Concrete<TacoBatch> {
  const [kMask, kTc] = splitKey(key, 2) as [Key, Key];
  const masked = maskTokens(tokens, kMask, { kind: 'bernoulli', prob: o.maskProb }, o.vocab);
  return { ...mlmBatch(tokens, masked), ...tcBatch(tokens, kTc, masked.selected, o).batch };
}
