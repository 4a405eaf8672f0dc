import * as t from 'io-ts';
import { linearProbe, loadCheckpointEncoder } from '../../eval/index.ts';
import { outputCount } from '../../finetune/labelSpace.ts';
import { majorityBaseline } from '../../finetune/taskData.ts';
import { foldIn, key } from '../../prng/index.ts';
import type { Command } from '../command.ts';
import { decodeOrThrow, IntFromString, NumberFromString } from '../options.ts';
import { downstreamTaskOptions, downstreamTaskUsage, loadDownstreamTask } from './downstreamTask.ts';
import { evalSourceOptions, fmt } from './evalSource.ts';
import { requirePositive } from './pcfgGrammarSource.ts';

const Flags = t.intersection([
  t.type({ checkpoint: t.string }),
  t.partial({
    seed: IntFromString, epochs: IntFromString, batch: IntFromString, lr: NumberFromString, warmup: IntFromString, dropout: NumberFromString, 'seq-len': IntFromString, json: t.boolean,
  }),
]);

/** `pretext eval probe`: linear-probe accuracy of a checkpoint's encoder on a PCFG downstream task (spec 5b7). */
export const evalProbeCommand: Command = {
  path: ['eval', 'probe'],
  summary: "linear-probe accuracy of a checkpoint's frozen encoder on PCFG task A, B or C, or on CSV/TSV files",
  options: {
    ...evalSourceOptions,
    ...downstreamTaskOptions,
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    warmup: { type: 'string' },
    dropout: { type: 'string' },
    'seq-len': { type: 'string' },
    json: { type: 'boolean' },
  },
  usage: `  --checkpoint DIR     a checkpoint directory, or a run directory (its latest checkpoint)
${downstreamTaskUsage}
                       (the probe's own randomness is foldIn(key(S), 1), S = --seed, default 0)
  --epochs N (50) --batch N (512) --lr X (1e-3) --warmup N (50) --dropout X (0.1, on the features)
  --seq-len L          padded length (default 20): features are the last-layer states at positions 1..L-2
  --json               print one JSON object: accuracy per epoch, finalAccuracy, bestAccuracy, majority...
The encoder is the checkpoint's model (ELECTRA: the discriminator). It is frozen and stays in train mode (its dropout is active) while the probe trains; validation
accuracy is measured in eval mode.`,
  run(values) {
    const f = decodeOrThrow(Flags, values, 'flags');
    const model = loadCheckpointEncoder(f.checkpoint);
    const seqLen = f['seq-len'] ?? 20;
    const { data, description } = loadDownstreamTask(values, model, seqLen);
    const { train, valid } = data;
    const classes = outputCount(data.labels);
    const seed = f.seed ?? 0;
    const r = linearProbe({ params: model.encoder, config: model.config }, train, valid, {
      numLabels: classes,
      key: foldIn(key(seed), 1),
      ...(f.epochs !== undefined ? { epochs: requirePositive(f.epochs, 'epochs') } : {}),
      ...(f.batch !== undefined ? { batchSize: requirePositive(f.batch, 'batch') } : {}),
      ...(f.lr !== undefined ? { lr: f.lr } : {}),
      ...(f.warmup !== undefined ? { warmupSteps: f.warmup } : {}),
      ...(f.dropout !== undefined ? { featureDropout: f.dropout } : {}),
    });
    const majority = majorityBaseline(data);
    const result = {
      checkpoint: model.dir, step: model.step ?? null, objective: model.objective ?? null, network: model.network, ...data.source, seed,
      train: train.rows, valid: valid.rows, classes, majority, truncated: train.truncated + valid.truncated, seqLen,
      finalAccuracy: r.finalAccuracy, bestAccuracy: r.bestAccuracy, epochs: r.epochs,
    };
    if (values.json === true) {
      console.log(JSON.stringify(result));
      return 0;
    }
    console.log(
      [
        `checkpoint: ${model.dir}${model.step !== undefined ? ` (step ${model.step})` : ''} (${model.network}); ${description}, ${train.rows} train / ${valid.rows} valid rows`,
        ...r.epochs.map((e) => `epoch ${String(e.epoch).padStart(3)}: train loss ${fmt(e.trainLoss)}, valid accuracy ${fmt(e.validAccuracy)}`),
        `final accuracy ${fmt(r.finalAccuracy)} (best ${fmt(r.bestAccuracy)}; majority ${fmt(majority)})`,
      ].join('\n'),
    );
    return 0;
  },
};
