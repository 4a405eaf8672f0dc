import type { Concrete } from '../../dsl/trace.ts';
import type { ElectraParams } from '../../models/electra.ts';
import { type Key, splitKey } from '../../prng/key.ts';
import type { Objective } from '../objective.ts';
import {
  type ElectraBatch, type ElectraOptions, type ResolvedElectraOptions, electraForward, electraGeneratorView, electraLoss, initElectra, prepareElectra,
  resolveElectraOptions,
} from '../electra/index.ts';
import {
  type ResolvedTokenContrastiveOptions, type TcBatch, type TokenContrastiveOptions, globalSemantics, resolveTokenContrastiveOptions, tcBatch,
  tokenContrastiveLoss,
} from '../taco/index.ts';

/**
 * A composition built only from the exported pieces of ELECTRA and TACO (no edits to either):
 * ELECTRA's loss plus a token-level contrastive term on the DISCRIMINATOR's global semantics
 * g = h_disc − λ·e_disc (e_disc: the tensor fed to its layer 1, after the embedding projection):
 *   L = gen_weight·L_MLM + disc_weight·L_disc + w·L_TC.
 * TC anchors 'masked' / 'unmasked' refer to ELECTRA's sampled set S. With w = 0 this is ELECTRA.
 */
export interface ElectraTcOptions {
  readonly electra: ElectraOptions;
  readonly tc?: TokenContrastiveOptions;
}

export interface ElectraTcBatch {
  readonly electra: ElectraBatch;
  readonly tc: TcBatch;
}

export function electraTcObjective(options: ElectraTcOptions): Objective<ElectraParams, Record<string, never>, ElectraTcBatch> & {
  readonly options: { readonly electra: ResolvedElectraOptions; readonly tc: ResolvedTokenContrastiveOptions };
} {
  const electra = resolveElectraOptions(options.electra);
  const tc = resolveTokenContrastiveOptions(options.tc ?? {});
  const prepareElectraBatch = prepareElectra(electra);
  return {
    name: 'electra+tc',
    options: { electra, tc },
    electra,
    init: (key) => ({ params: initElectra(electra.model, key), extra: {} }),
    prepare(tokens, key): Concrete<ElectraTcBatch> {
      // The ELECTRA batch is exactly ELECTRA's for this key; TC draws from the sub-key it leaves free.
      const e = prepareElectraBatch(tokens, key);
      return { electra: e, tc: tcBatch(tokens, splitKey(key, 2)[1] as Key, e.selected.data as Uint8Array, tc).batch };
    },
    loss(params, _extra, batch, key, mode) {
      const forward = electraForward(params, batch.electra, key, mode, electra);
      const base = electraLoss(forward, electra);
      const g = globalSemantics(forward.discriminator.last, forward.discriminator.states[0]!, tc.lambda);
      const term = tokenContrastiveLoss(g, batch.tc.tcCandidates, batch.tc.tcAnchors, tc.temperature);
      return {
        loss: base.loss.add(term.loss.mul(tc.weight)),
        metrics: {
          ...base.metrics,
          tc_loss: term.loss,
          tc_accuracy: term.accuracy,
          tc_positive_cosine: term.positiveCosine,
          tc_negative_cosine: term.negativeCosine,
        },
      };
    },
    mlm: (params) => electraGeneratorView(params, electra),
  };
}
