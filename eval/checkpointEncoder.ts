import type { Concrete } from '../dsl/trace.ts';
import type { EncoderConfig } from '../models/config.ts';
import type { EncoderParams } from '../models/params.ts';
import type { Vocab } from '../corpora/tokenizer/index.ts';
import { CheckpointConfigError, type GrammarRef, type LoadedElectraModel, electraDiscriminator } from '../models/checkpoint/index.ts';
import { isHfCheckpointDir } from '../models/checkpoint/hfImport.ts';
import { loadCheckpointMlm, loadHfCheckpointEncoder, resolveCheckpointDir } from './checkpointModel.ts';

/**
 * The encoder a checkpoint holds for downstream use (probes, fine-tuning, Hessians): the model
 * itself for MLM/TACO/SE/ScTD, the discriminator for ELECTRA. Downstream code loads this, never
 * the masked LM view, so that every evaluation measures the run's real network.
 */
export interface CheckpointEncoder {
  /** The checkpoint directory actually loaded (a run directory resolves to its latest checkpoint). */
  readonly dir: string;
  readonly encoder: Concrete<EncoderParams>;
  readonly config: EncoderConfig;
  readonly vocab: Vocab;
  /** What the encoder is, for reports: e.g. "mlm encoder", "electra discriminator". */
  readonly network: string;
  /** trainer.json's `step`, when it has one. */
  readonly step: number | undefined;
  /** pretext checkpoints: the objective's name and the grammar config.json names (`pretext.grammar`). */
  readonly objective?: string;
  readonly grammar?: GrammarRef;
  /** ELECTRA checkpoints: the whole pair, e.g. for the discriminator's head or the generator. */
  readonly electra?: LoadedElectraModel;
}

/** Loads the downstream encoder of a checkpoint, or of a run directory's latest checkpoint. */
export function loadCheckpointEncoder(dir: string): CheckpointEncoder {
  const resolved = resolveCheckpointDir(dir);
  if (isHfCheckpointDir(resolved)) return loadHfCheckpointEncoder(resolved);
  const mlm = loadCheckpointMlm(resolved);
  const { pretext, electra } = mlm.loaded;
  const described = { dir: mlm.dir, vocab: mlm.vocab, step: mlm.step, objective: pretext.objective.name, ...(pretext.grammar ? { grammar: pretext.grammar } : {}) };
  if (electra) {
    const d = electraDiscriminator(electra);
    return { ...described, encoder: d.encoder, config: d.config, network: 'electra discriminator', electra };
  }
  if (pretext.mlm?.in === 'view' && 'discriminator' in (mlm.loaded.checkpoint.params as object)) {
    // the format before pretext.electra: its masked LM view is the generator, which is not the run's model
    throw new CheckpointConfigError(`${mlm.dir}: an ELECTRA checkpoint in the old format (pretext.mlm "view", no pretext.electra): its stored model is the generator, not the discriminator; retrain to measure the discriminator`, {
      file: mlm.dir, field: 'pretext.electra',
    });
  }
  return { ...described, encoder: mlm.view.encoder, config: mlm.view.config, network: 'mlm encoder' };
}
