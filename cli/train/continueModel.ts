import type { Vocab } from '../../corpora/tokenizer/index.ts';
import type { EncoderConfig } from '../../models/config.ts';
import { CliError } from '../options.ts';
import type { TrainJob } from './resolveJob.ts';

/**
 * The job of a run that continues a pretrained model (`train --init CKPT`): the encoder is the
 * checkpoint's, whole (LN position, GELU form, eps, token types, positions, vocabulary size,
 * dropout), not the job's defaults. A model field the config sets explicitly (job.modelSettings)
 * must agree with the checkpoint: a contradiction is an error naming the field and both values.
 * The dataset must fit the model: the same vocabulary (token by token when the checkpoint names
 * its tokens, else by size) and rows no longer than its position table.
 */
export function continuedJob(job: TrainJob, checkpoint: EncoderConfig, checkpointVocab: Vocab | undefined, from: string): TrainJob {
  for (const [field, value] of Object.entries(job.modelSettings)) {
    const theirs = checkpoint[field as keyof EncoderConfig];
    if (value !== undefined && value !== theirs) {
      throw new CliError(
        `--init ${from}: the checkpoint's model has ${field} ${JSON.stringify(theirs)}, the config sets model.${field} ${JSON.stringify(value)} (a continued run keeps the checkpoint's architecture: drop model.${field} or make it agree)`,
        { flag: 'init', field: `model.${field}`, checkpoint: theirs, config: value },
      );
    }
  }
  if (checkpoint.vocabSize !== job.vocab.size) {
    throw new CliError(`--init ${from}: the checkpoint's vocabulary has ${checkpoint.vocabSize} tokens, the dataset's (${job.vocab.source}) ${job.vocab.size}`, {
      flag: 'init', field: 'vocabSize', checkpoint: checkpoint.vocabSize, dataset: job.vocab.size,
    });
  }
  const differs = checkpointVocab ? checkpointVocab.tokens.findIndex((tok, id) => tok !== job.vocab.tokens[id]) : -1;
  if (differs >= 0) {
    throw new CliError(
      `--init ${from}: the checkpoint's vocabulary (${checkpointVocab!.source}) differs from the dataset's (${job.vocab.source}): id ${differs} is ${JSON.stringify(checkpointVocab!.tokens[differs])} there, ${JSON.stringify(job.vocab.tokens[differs])} here`,
      { flag: 'init', field: 'vocab', id: differs },
    );
  }
  if (job.seqLen > checkpoint.maxPositions) {
    throw new CliError(`--init ${from}: the dataset's rows are ${job.seqLen} tokens, the checkpoint's model has ${checkpoint.maxPositions} positions`, {
      flag: 'init', field: 'maxPositions', checkpoint: checkpoint.maxPositions, seqLen: job.seqLen,
    });
  }
  return { ...job, encoder: checkpoint };
}
