import { compile } from '../../compiler/compile.ts';
import type { HostTensor } from '../../dsl/host.ts';
import type { Concrete } from '../../dsl/trace.ts';
import type { EncoderConfig } from '../../models/config.ts';
import type { MlmModelParams } from '../../models/params.ts';
import { type TokenBatch, batchTensor } from '../objective.ts';
import { SelfEvolutionError } from './errors.ts';
import { hardPositionsOfRow } from './hardTokenMap.ts';
import { type HardTokenSummary, HardTokenSummaryBuilder } from './hardTokenSummary.ts';
import { type BlockBatch, reconstructionNll } from './reconstructionNll.ts';

export interface SelfQuestioningOptions {
  /** A token is hard iff its NLL exceeds this (nats). Default 0.1 (p < e^-0.1 ≈ 0.905). */
  readonly threshold?: number;
}

export interface SelfQuestioningResult {
  /** block id -> sorted hard positions; every scored block has an entry (possibly empty). */
  readonly hard: Map<number, Int32Array>;
  readonly summary: HardTokenSummary;
}

type NllProgram = (params: Concrete<MlmModelParams>, batch: Concrete<BlockBatch>) => HostTensor<['batch', 'seq']>;

/**
 * SE stage 1 (self-questioning): scores every block of `batches` with the frozen model (eval mode,
 * compiled; one program per batch shape) and records H(d) = {t : NLL_t > threshold}. Pure: the
 * parameters are only read. Batches need block ids (stage 2 looks hard sets up by them); a block
 * id seen twice is an error (the map would silently keep one).
 */
export function selfQuestion(
  params: Concrete<MlmModelParams>,
  config: EncoderConfig,
  batches: Iterable<TokenBatch>,
  options: SelfQuestioningOptions = {},
): SelfQuestioningResult {
  const threshold = options.threshold ?? 0.1;
  if (!(threshold >= 0) || !Number.isFinite(threshold)) {
    throw new SelfEvolutionError(`selfQuestion: threshold must be a finite number >= 0 (nats), got ${threshold}`, { option: 'threshold', value: threshold });
  }
  const programs = new Map<string, NllProgram>();
  const hard = new Map<number, Int32Array>();
  const summary = new HardTokenSummaryBuilder();
  let batchIndex = 0;
  for (const tokens of batches) {
    if (!tokens.blockIds) {
      throw new SelfEvolutionError(`selfQuestion: batch ${batchIndex} has no blockIds (stage 2 finds hard sets by block id)`, { option: 'blockIds', batch: batchIndex });
    }
    const batch: Concrete<BlockBatch> = {
      inputIds: batchTensor(tokens.inputIds, tokens.rows, tokens.seqLen, 'i32'),
      attentionMask: batchTensor(tokens.attentionMask, tokens.rows, tokens.seqLen, 'bool'),
    };
    const shapeKey = `${tokens.rows}x${tokens.seqLen}`;
    let program = programs.get(shapeKey);
    if (!program) {
      program = compile((pr: MlmModelParams, b: BlockBatch) => reconstructionNll(pr, b, config), [params, batch] as const);
      programs.set(shapeKey, program);
    }
    const nll = program(params, batch).data;
    for (let r = 0; r < tokens.rows; r++) {
      const id = tokens.blockIds[r]!;
      if (hard.has(id)) throw new SelfEvolutionError(`selfQuestion: block id ${id} occurs twice (batch ${batchIndex}, row ${r})`, { option: 'blockIds', blockId: id });
      const off = r * tokens.seqLen;
      const h = hardPositionsOfRow(nll, tokens.attentionMask, off, tokens.seqLen, threshold);
      let real = 0;
      let sum = 0;
      for (let t = 0; t < tokens.seqLen; t++) {
        if (tokens.attentionMask[off + t]) {
          real++;
          sum += nll[off + t]!;
        }
      }
      hard.set(id, h);
      summary.addBlock(real, h.length, sum);
    }
    batchIndex++;
  }
  return { hard, summary: summary.build() };
}
