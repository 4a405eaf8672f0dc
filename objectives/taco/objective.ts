import { initEncoder, initMlmHead } from '../../models/init.ts';
import type { MlmModelParams } from '../../models/params.ts';
import { type Key, splitKey } from '../../prng/key.ts';
import { dropoutContext, mlmModelLogits } from '../mlm.ts';
import { mlmLossAndMetrics, mlmPositions } from '../mlmHeadLoss.ts';
import type { Objective } from '../objective.ts';
import { type TacoBatch, tacoBatch } from './batch.ts';
import { tokenContrastiveLoss } from './contrastiveLoss.ts';
import { globalSemantics } from './globalSemantics.ts';
import { type ResolvedTacoOptions, type TacoOptions, resolveTacoOptions } from './options.ts';

/**
 * TACO (spec 3): L = L_MLM + w·L_TC on g = h − λ·e. e is the embedding output the encoder fed to
 * layer 1 (after dropout in train mode); the MLM head reads the unmodified h (the reference
 * subtracts in place after the head; here it is a new tensor).
 */
export function tacoObjective(options: TacoOptions): Objective<MlmModelParams, Record<string, never>, TacoBatch> & { readonly options: ResolvedTacoOptions } {
  const o = resolveTacoOptions(options);
  const config = o.encoder;
  return {
    name: 'taco',
    options: o,
    init(key) {
      const [ke, kh] = splitKey(key, 2) as [Key, Key];
      return { params: { encoder: initEncoder(config, ke), mlmHead: initMlmHead(config, kh) }, extra: {} };
    },
    prepare: (tokens, key) => tacoBatch(tokens, key, o),
    loss(params, _extra, batch, key, mode) {
      const { logits, encoded } = mlmModelLogits(params, batch, config, dropoutContext(config, key, mode));
      const mlm = mlmLossAndMetrics(mlmPositions(logits, batch.labels), batch.labels, 'masked');
      const g = globalSemantics(encoded.last, encoded.states[0]!, o.lambda);
      const tc = tokenContrastiveLoss(g, batch.tcCandidates, batch.tcAnchors, o.temperature);
      return {
        loss: mlm.loss.add(tc.loss.mul(o.weight)),
        metrics: {
          ...mlm.metrics,
          tc_loss: tc.loss,
          tc_accuracy: tc.accuracy,
          tc_positive_cosine: tc.positiveCosine,
          tc_negative_cosine: tc.negativeCosine,
          tc_anchors: tc.anchorCount,
        },
      };
    },
    mlm: (params) => ({ encoder: params.encoder, mlmHead: params.mlmHead, config }),
  };
}
