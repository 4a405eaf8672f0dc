import { type KeyTensor, keyInput } from '../dsl/random.ts';
import type { Tensor } from '../dsl/tensor.ts';
import type { Symbolic } from '../dsl/trace.ts';
import { compile } from '../compiler/compile.ts';
import { type DiscriminatorHeadParams, type ElectraParams, discriminatorLogits, encodeTower, generatorLogits } from '../models/electra.ts';
import { encode } from '../models/encoder.ts';
import type { EncoderParams } from '../models/params.ts';
import { type LoadedElectraModel, electraDiscriminator } from '../models/checkpoint/index.ts';
import {
  type ElectraBatch, type ElectraOptions, electraBatch, replacedTokenDetectionLoss, replacedTokenInputs, resolveElectraOptions, sampleReplacements,
} from '../objectives/electra/index.ts';
import type { TokenBatch, VocabInfo } from '../objectives/objective.ts';
import { type Key, splitKey } from '../prng/key.ts';
import { randint } from '../prng/samplers.ts';
import { EvalError } from './errors.ts';
import { type HutchinsonResult, type MlmHessianOptions, type MlmPool, hutchinsonTrace, poolRows } from './hessianTrace.ts';

/**
 * ELECTRA's Hessian trace (spec 5b6) measures its model, the discriminator, on the loss it was
 * pretrained with: replaced-token detection, L = mean BCE-with-logits over the non-pad tokens
 * (spec 4b step 7), in eval mode. The corrupted rows are fixed, as the study fixes its MLM masks:
 * `electraRtdPool` draws each row's selection S and generator input with the run's own ELECTRA
 * options and lets the generator (eval mode, no dropout) sample the replacements once.
 */

/** Pool rows for the discriminator: x^d (i32), the attention mask, and the labels d = [x^d ≠ x] (f32). */
export function electraRtdPool(pair: Pick<LoadedElectraModel, 'params' | 'model' | 'electra'>, tokens: TokenBatch, vocab: VocabInfo, key: Key): MlmPool {
  const o = resolveElectraOptions({ ...(pair.electra.options as Partial<ElectraOptions>), model: pair.model, vocab });
  const [kSelect, kSample] = splitKey(key, 2) as [Key, Key];
  const batch = electraBatch(tokens, kSelect, o);
  const corrupt = (params: ElectraParams, b: ElectraBatch, k: KeyTensor) => {
    const generator = encodeTower(params.embeddings, params.generator, { inputIds: b.generatorInputIds, attentionMask: b.attentionMask }, o.model.generator);
    const sampled = sampleReplacements(k, generatorLogits(params, generator.last, o.model), o.temperature);
    return replacedTokenInputs(b.inputIds, b.selected, sampled);
  };
  const args = [pair.params, batch, keyInput(kSample)] as const;
  const d = compile(corrupt, args)(...args);
  return { inputIds: d.inputIds, attentionMask: batch.attentionMask, labels: d.labels };
}

/**
 * Hutchinson's estimate of the trace of the discriminator's replaced-token-detection Hessian:
 * θ = the discriminator (its encoder, with the shared embedding tables, and its head); the
 * generator only made the pool. Minibatches of `batchSize` rows are drawn with replacement.
 */
export function discriminatorHessianTrace(pair: Pick<LoadedElectraModel, 'params' | 'model'>, pool: MlmPool, options: MlmHessianOptions): HutchinsonResult {
  const rows = pool.inputIds.shape[0]!;
  if (rows < 1) throw new EvalError('discriminatorHessianTrace: the pool is empty', {});
  const disc = electraDiscriminator(pair);
  const loss = (pr: { encoder: EncoderParams; head: DiscriminatorHeadParams }, b: Symbolic<MlmPool>): Tensor<[]> => {
    const h = encode(pr.encoder, { inputIds: b.inputIds, attentionMask: b.attentionMask }, disc.config);
    // non-pad = the original's real tokens, i.e. the attention mask (a sampled id may equal [PAD])
    return replacedTokenDetectionLoss(discriminatorLogits(pr.head, h.last, pair.model), b.labels, b.attentionMask);
  };
  return hutchinsonTrace(loss, { encoder: disc.encoder, head: disc.head }, (_s, k) => poolRows(pool, randint(k, 0, rows, options.batchSize)), options);
}
