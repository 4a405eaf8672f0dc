import * as p from '../../dsl/index.ts';
import { hostScalar } from '../../dsl/host.ts';
import type { KeyTensor } from '../../dsl/random.ts';
import type { Tensor } from '../../dsl/tensor.ts';
import { encode } from '../../models/encoder.ts';
import { mlmLogits } from '../../models/heads.ts';
import { initEncoder, initMlmHead } from '../../models/init.ts';
import type { MlmModelParams } from '../../models/params.ts';
import { routedEncode } from '../../models/tokenDropping.ts';
import { type Key, splitKey } from '../../prng/key.ts';
import { type MlmBatch, dropoutContext, maskTokens, mlmBatch, mlmModelLogits, tokenCount } from '../mlm.ts';
import { mlmPositions } from '../mlmHeadLoss.ts';
import type { Mode, Objective } from '../objective.ts';
import { firstToken, hiddenSoftmaxKl, isAlignStep } from './alignment.ts';
import { SctdError } from './errors.ts';
import { freeIdMask, initialImportance, updateImportance } from './importanceTable.ts';
import { type TokenDroppingOptions, resolveTokenDropping } from './options.ts';
import { sctdRoute } from './route.ts';

type S = Tensor<[]>;

/** Non-trainable state of token dropping. */
export interface SctdExtra {
  /** I ∈ R^V: per-id running MLM loss; the lowest-scoring tokens are dropped. */
  readonly importance: Tensor<['vocab']>;
  /** KL_{L-2} and KL_{L-1} of the last alignment step (0 before the first): logged on the others. */
  readonly klPenultimate: Tensor<[]>;
  readonly klFinal: Tensor<[]>;
}

/** The compiled variants: 'drop' (plain token-dropping step), 'align' (plus the full pass and KLs), 'eval' (no dropping). */
export type SctdVariant = 'drop' | 'align' | 'eval';

/**
 * Token-dropping MLM (Hou et al. 2022) with ScTD's semantic-consistency steps (Zhong et al. 2023),
 * spec 2. Training steps route the least important tokens around the middle layers
 * (models/tokenDropping.ts; floor(n·ρ) of a row's n real tokens, never [CLS] or [SEP], or with
 * paddedLengthDropCompat the released code's floor(T·ρ) of the padded row) and update the
 * importance EMA from the dropped pass's per-position NLL; alignment steps (update mod F == 0)
 * add a full pass and KL(full ‖ drop) of the hidden-dim softmax of the position-0 states at
 * layer outputs L-2 and L-1. Loss: Σ NLL (+ KL terms) / N_tok
 * (non-pad tokens), in nats (`loss_bits` = fairseq's unit). Evaluation runs the plain encoder.
 * Metrics: loss, loss_bits, mlm_loss / mlm_accuracy / predictions (dropped pass), kl_loss and
 * kl_loss_final (raw sums; the last alignment step's on other steps), align (0/1),
 * dropped_fraction (dropped real tokens / real tokens), importance_mean/min/max (unpinned ids,
 * before this step's update).
 */
export function sctdObjective(options: TokenDroppingOptions): Objective<MlmModelParams, SctdExtra, MlmBatch> {
  const { encoder: config, vocab } = options;
  const r = resolveTokenDropping(options);
  const pins = { keepIds: r.keepIds, dropIds: r.dropIds };
  const L = config.layers;
  return {
    name: options.preset === 'vanilla' ? 'tokenDropping' : 'sctd',
    init(key) {
      const [ke, kh] = splitKey(key, 2) as [Key, Key];
      return {
        params: { encoder: initEncoder(config, ke), mlmHead: initMlmHead(config, kh) },
        extra: { importance: initialImportance(vocab.size, r.importanceInit, pins), klPenultimate: hostScalar(0), klFinal: hostScalar(0) },
      };
    },
    prepare(tokens, key) {
      return mlmBatch(tokens, maskTokens(tokens, key, { kind: 'exact', prob: r.maskProb }, vocab));
    },
    variant(step, mode): SctdVariant {
      return mode === 'eval' ? 'eval' : isAlignStep(step, r.alignEvery) ? 'align' : 'drop';
    },
    loss(params, extra, batch, key: KeyTensor, mode: Mode, variant: string) {
      if (variant !== 'drop' && variant !== 'align' && variant !== 'eval') {
        throw new SctdError(`sctd: unknown variant ${JSON.stringify(variant)} (drop, align or eval)`, { option: 'variant', value: variant });
      }
      const nTok = tokenCount(batch.attentionMask);
      const real = p.cast(batch.attentionMask, 'f32');
      const free = freeIdMask(vocab.size, pins);
      const freeBool = free.gt(0);
      const importanceStats = {
        importance_mean: p.div(p.sumAll(extra.importance.mul(free)), p.maximum(p.sumAll(free), 1)),
        importance_min: p.min(p.where(freeBool, extra.importance, 1e30), 'vocab'),
        importance_max: p.max(p.where(freeBool, extra.importance, -1e30), 'vocab'),
      };
      const mlmMetrics = (pos: ReturnType<typeof mlmPositions>) => {
        const count = p.sumAll(pos.selected);
        const correct = p.sumAll(p.cast(pos.predicted.eq(batch.labels), 'f32').mul(pos.selected));
        return { mlm_loss: p.div(p.sumAll(pos.nll), p.maximum(count, 1)), mlm_accuracy: p.div(correct, p.maximum(count, 1)), predictions: count };
      };

      if (mode === 'eval' || variant === 'eval') {
        const pos = mlmPositions(mlmModelLogits(params, batch, config).logits, batch.labels);
        const loss = p.div(p.sumAll(pos.nll), nTok);
        return {
          loss,
          metrics: {
            loss, loss_bits: loss.mul(1 / Math.LN2), ...mlmMetrics(pos), kl_loss: extra.klPenultimate, kl_loss_final: extra.klFinal,
            align: p.scalar(0), dropped_fraction: p.scalar(0), ...importanceStats,
          },
        };
      }

      const [kDrop, kFull] = p.splitKeyTensor(key, 2) as [KeyTensor, KeyTensor];
      const route = sctdRoute(extra.importance, batch, vocab, r);
      const routed = routedEncode(params.encoder, batch, config, { route, routeStart: r.routeStart }, dropoutContext(config, kDrop, mode));
      const pos = mlmPositions(mlmLogits(params.mlmHead, params.encoder.embeddings, routed.last, config), batch.labels);
      let total: S = p.sumAll(pos.nll);
      let klPenultimate: S = extra.klPenultimate;
      let klFinal: S = extra.klFinal;
      if (variant === 'align') {
        const full = encode(params.encoder, batch, config, dropoutContext(config, kFull, mode));
        // layer L-2's output of the dropped pass exists for kept tokens only: its first kept token,
        // position 0 ([CLS]/<s>, never dropped; in paddedLengthDropCompat only while the row has enough normal tokens)
        klPenultimate = hiddenSoftmaxKl(firstToken(full.states[L - 1]!), firstToken(routed.keptStates));
        klFinal = hiddenSoftmaxKl(firstToken(full.states[L]!), firstToken(routed.finalLayer));
        if (r.fixLrefBug) {
          const fullPos = mlmPositions(mlmLogits(params.mlmHead, params.encoder.embeddings, full.last, config), batch.labels);
          total = total.mul(0.5).add(p.sumAll(fullPos.nll).mul(0.5));
        }
        total = total.add(klPenultimate.add(klFinal).mul(r.klWeight));
      }
      const loss = p.div(total, nTok);
      const droppedReal = p.sumAll(p.cast(routed.route.dropped, 'f32').mul(real));
      const importance = updateImportance(extra.importance, pos.nll, batch.labels, r.emaDecay, pins);
      return {
        loss,
        metrics: {
          loss, loss_bits: loss.mul(1 / Math.LN2), ...mlmMetrics(pos), kl_loss: klPenultimate, kl_loss_final: klFinal,
          align: p.scalar(variant === 'align' ? 1 : 0), dropped_fraction: p.div(droppedReal, p.maximum(p.sumAll(real), 1)), ...importanceStats,
        },
        extra: { importance, klPenultimate: p.stopGradient(klPenultimate), klFinal: p.stopGradient(klFinal) },
      };
    },
    mlm: (params) => ({ encoder: params.encoder, mlmHead: params.mlmHead, config }),
  };
}

/** Vanilla token dropping (Hou et al. 2022) as a baseline: the 'vanilla' preset (β 0.995, pad dropped first, no alignment). */
export function vanillaTokenDroppingObjective(options: Omit<TokenDroppingOptions, 'preset'>): Objective<MlmModelParams, SctdExtra, MlmBatch> {
  return sctdObjective({ ...options, preset: 'vanilla' });
}
