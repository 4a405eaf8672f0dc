import * as t from 'io-ts';
import { sampleDownstreamSentences, sentenceCount, taskClassNames, type SentenceBatch } from '../../corpora/pcfg/index.ts';
import { linearProbe, loadCheckpointEncoder, pcfgProbeData } from '../../eval/index.ts';
import { foldIn, key } from '../../prng/index.ts';
import type { Command } from '../command.ts';
import { decodeOrThrow, IntFromString, NumberFromString } from '../options.ts';
import { evalGrammar, evalSourceOptions, evalSourceUsage, fmt } from './evalSource.ts';
import { requirePositive } from './pcfgGrammarSource.ts';

const Task = t.keyof({ A: null, B: null, C: null }, 'A | B | C');
const Flags = t.intersection([
  t.type({ checkpoint: t.string, task: Task, train: IntFromString, valid: IntFromString, seed: IntFromString }),
  t.partial({
    epochs: IntFromString, batch: IntFromString, lr: NumberFromString, warmup: IntFromString, dropout: NumberFromString, 'seq-len': IntFromString, json: t.boolean,
  }),
]);

const slice = (b: SentenceBatch, from: number, to: number): SentenceBatch => ({
  tokens: b.tokens.subarray(b.offsets[from]!, b.offsets[to]!),
  offsets: Int32Array.from(b.offsets.subarray(from, to + 1), (o) => o - b.offsets[from]!),
});

/** `pretext eval probe`: linear-probe accuracy of a checkpoint's encoder on a PCFG downstream task (spec 5b7). */
export const evalProbeCommand: Command = {
  path: ['eval', 'probe'],
  summary: "linear-probe accuracy of a checkpoint's frozen encoder on PCFG task A, B or C",
  options: {
    ...evalSourceOptions,
    task: { type: 'string', default: 'B' },
    train: { type: 'string', default: '2000' },
    valid: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '0' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    warmup: { type: 'string' },
    dropout: { type: 'string' },
    'seq-len': { type: 'string' },
    json: { type: 'boolean' },
  },
  usage: `${evalSourceUsage}
  --task A|B|C         downstream task (default B; see pcfg tasks)
  --train N --valid N  sentences (defaults 2000 / 1000): the first N and the next N rows of
                       \`pcfg tasks --seed S --sentences TRAIN+VALID\` (4 < length < 32)
  --seed S             sentence seed (default 0); the probe's own randomness is foldIn(key(S), 1)
  --epochs N (50) --batch N (512) --lr X (1e-3) --warmup N (50) --dropout X (0.1, on the features)
  --seq-len L          padded length (default 20): features are the last-layer states at positions 1..L-2
  --json               print one JSON object: accuracy per epoch, finalAccuracy, bestAccuracy, majority...
The encoder is the checkpoint's model (ELECTRA: the discriminator). It is frozen and stays in train mode (its dropout is active) while the probe trains; validation
accuracy is measured in eval mode.`,
  run(values) {
    const f = decodeOrThrow(Flags, values, 'flags');
    requirePositive(f.train, 'train');
    const model = loadCheckpointEncoder(f.checkpoint);
    const { grammar, source } = evalGrammar(values, model);
    const seqLen = f['seq-len'] ?? 20;
    const all = sampleDownstreamSentences(grammar, key(f.seed), f.train + f.valid);
    const train = pcfgProbeData(grammar, model.vocab, f.task, slice(all, 0, f.train), seqLen);
    const valid = pcfgProbeData(grammar, model.vocab, f.task, slice(all, f.train, sentenceCount(all)), seqLen);
    const classes = taskClassNames(grammar, f.task).length;
    const r = linearProbe({ params: model.encoder, config: model.config }, train, valid, {
      numLabels: classes,
      key: foldIn(key(f.seed), 1),
      ...(f.epochs !== undefined ? { epochs: requirePositive(f.epochs, 'epochs') } : {}),
      ...(f.batch !== undefined ? { batchSize: requirePositive(f.batch, 'batch') } : {}),
      ...(f.lr !== undefined ? { lr: f.lr } : {}),
      ...(f.warmup !== undefined ? { warmupSteps: f.warmup } : {}),
      ...(f.dropout !== undefined ? { featureDropout: f.dropout } : {}),
    });
    const counts = new Map<number, number>();
    for (const y of valid.labels) counts.set(y, (counts.get(y) ?? 0) + 1);
    const majority = valid.rows > 0 ? Math.max(...counts.values()) / valid.rows : NaN;
    const result = {
      checkpoint: model.dir, step: model.step ?? null, objective: model.objective ?? null, network: model.network, grammar: source, task: f.task, seed: f.seed,
      train: train.rows, valid: valid.rows, classes, majority, truncated: train.truncated + valid.truncated, seqLen,
      finalAccuracy: r.finalAccuracy, bestAccuracy: r.bestAccuracy, epochs: r.epochs,
    };
    if (values.json === true) {
      console.log(JSON.stringify(result));
      return 0;
    }
    console.log(
      [
        `checkpoint: ${model.dir}${model.step !== undefined ? ` (step ${model.step})` : ''} (${model.network}); task ${f.task}, ${train.rows} train / ${valid.rows} valid sentences, grammar ${source}`,
        ...r.epochs.map((e) => `epoch ${String(e.epoch).padStart(3)}: train loss ${fmt(e.trainLoss)}, valid accuracy ${fmt(e.validAccuracy)}`),
        `final accuracy ${fmt(r.finalAccuracy)} (best ${fmt(r.bestAccuracy)}; majority ${fmt(majority)})`,
      ].join('\n'),
    );
    return 0;
  },
};
