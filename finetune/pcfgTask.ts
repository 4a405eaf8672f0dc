import { sampleDownstreamSentences, sentenceCount, taskClassNames, type Grammar, type SentenceBatch, type TaskName } from '../corpora/pcfg/index.ts';
import type { Vocab } from '../corpora/tokenizer/index.ts';
import { pcfgProbeData } from '../eval/pcfgData.ts';
import { key } from '../prng/key.ts';
import { DownstreamError } from './errors.ts';
import type { TaskData } from './taskData.ts';

const slice = (b: SentenceBatch, from: number, to: number): SentenceBatch => ({
  tokens: b.tokens.subarray(b.offsets[from]!, b.offsets[to]!),
  offsets: Int32Array.from(b.offsets.subarray(from, to + 1), (o) => o - b.offsets[from]!),
});

export interface PcfgTaskOptions {
  readonly task: TaskName;
  readonly train: number;
  readonly valid: number;
  /** Sentence seed: the rows are the first `train` and the next `valid` of `pcfg tasks --seed S --sentences TRAIN+VALID`. */
  readonly seed: number;
  readonly seqLen: number;
}

/** PCFG downstream task A, B or C (spec 5b4) with every left-hand side (A: start child) as a class. */
export function pcfgTaskData(grammar: Grammar, vocab: Vocab, o: PcfgTaskOptions): TaskData {
  if (!Number.isInteger(o.train) || o.train < 1) throw new DownstreamError(`pcfg task: --train must be a positive integer, got ${o.train}`, { option: 'train', value: o.train });
  const all = sampleDownstreamSentences(grammar, key(o.seed), o.train + o.valid);
  return {
    train: pcfgProbeData(grammar, vocab, o.task, slice(all, 0, o.train), o.seqLen),
    valid: pcfgProbeData(grammar, vocab, o.task, slice(all, o.train, sentenceCount(all)), o.seqLen),
    labels: { kind: 'classification', names: taskClassNames(grammar, o.task) },
    source: { task: o.task, seed: o.seed },
  };
}
