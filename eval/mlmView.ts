import type { Concrete } from '../dsl/trace.ts';
import type { EncoderConfig } from '../models/config.ts';
import type { EncoderParams, MlmHeadParams } from '../models/params.ts';
import type { AnyObjective } from '../objectives/objective.ts';

/** A masked LM with concrete (host) parameters: what the evaluations run. */
export interface HostMlmView {
  readonly encoder: Concrete<EncoderParams>;
  readonly mlmHead: Concrete<MlmHeadParams>;
  readonly config: EncoderConfig;
}

/** The parameters of a view as one tree (what compiled evaluation programs take). */
export const viewParams = (v: HostMlmView) => ({ encoder: v.encoder, mlmHead: v.mlmHead });

/**
 * The masked LM of any objective's concrete parameters (objective.mlm picks the parts: the
 * model itself for MLM/TACO/SE/ScTD, the generator for ELECTRA).
 */
export function mlmViewOf(objective: AnyObjective, params: unknown): HostMlmView {
  // host boundary: `mlm` is typed on symbolic trees but only regroups leaves, so on host
  // parameters it returns host leaves (any objective: its parameter type is not known here)
  return objective.mlm(params) as unknown as HostMlmView;
}
