import * as t from 'io-ts';
import { sampleSentences } from '../../corpora/pcfg/index.ts';
import { checkpointHessianTrace, loadCheckpointEncoder } from '../../eval/index.ts';
import { foldIn, key } from '../../prng/index.ts';
import type { Command } from '../command.ts';
import { CliError, decodeOrThrow, IntFromString } from '../options.ts';
import { evalGrammar, evalSourceOptions, evalSourceUsage, fmt } from './evalSource.ts';
import { SPLIT_STREAMS } from './pcfgGenerate.ts';
import { requirePositive } from './pcfgGrammarSource.ts';

const Flags = t.intersection([
  t.type({ checkpoint: t.string, samples: IntFromString, batch: IntFromString, pool: IntFromString, seed: IntFromString }),
  t.partial({ 'seq-len': IntFromString, json: t.boolean }),
]);

/**
 * `pretext eval hessian`: Hutchinson's estimate of the trace of the Hessian of the checkpoint's
 * model's pretraining loss (spec 5b6): the MLM loss, or for ELECTRA the discriminator's
 * replaced-token-detection loss (eval/electraHessian.ts).
 */
export const evalHessianCommand: Command = {
  path: ['eval', 'hessian'],
  summary: "Hutchinson estimate of the trace of a checkpoint's pretraining-loss Hessian (MLM; ELECTRA: the discriminator's)",
  options: {
    ...evalSourceOptions,
    samples: { type: 'string', default: '100' },
    batch: { type: 'string', default: '32' },
    pool: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '0' },
    'seq-len': { type: 'string' },
    json: { type: 'boolean' },
  },
  usage: `${evalSourceUsage}
  --samples N          (minibatch, v) samples (default 100)
  --batch N            rows per minibatch, drawn with replacement from the pool (default 32)
  --pool N             pretraining sentences: the first N training sentences of \`pcfg generate --seed S\`
                       (default 1000), with academic-budget BERT static masks (15%, at most 5, 80/10/10)
  --seed S             sentence and mask seed; v and the minibatches come from foldIn(key(S), 2) (default 0)
  --seq-len T          row length (default: the checkpoint's positions, which a pretext run sets to its rows' length)
  --json               print one JSON object: trace, stdErr, samples, runningMeans, dimension...
Eval mode (no dropout); L = mean MLM cross-entropy over the masked tokens of the minibatch; v ~ N(0, I)
over every parameter but the decoder bias (HF cls.predictions.bias); vᵀHv by double backprop.
ELECTRA checkpoints measure their model, the discriminator: L = mean replaced-token-detection BCE over the
non-pad tokens, θ = the discriminator (encoder with the shared embeddings, and head); each pool row is
corrupted once with the run's ELECTRA options and the generator's samples (eval mode, key foldIn(key(S), 3)).`,
  run(values) {
    const f = decodeOrThrow(Flags, values, 'flags');
    requirePositive(f.samples, 'samples');
    requirePositive(f.batch, 'batch');
    requirePositive(f.pool, 'pool');
    if (f['seq-len'] !== undefined && f['seq-len'] < 3) throw new CliError(`--seq-len must be at least 3, got ${f['seq-len']}`, { flag: 'seq-len', value: f['seq-len'] });
    const model = loadCheckpointEncoder(f.checkpoint);
    const positions = model.config.maxPositions;
    const seqLen = f['seq-len'] ?? positions;
    if (seqLen > positions) throw new CliError(`--seq-len ${seqLen} is longer than the ${positions} positions of ${model.dir}`, { flag: 'seq-len', value: seqLen, maxPositions: positions });
    const { grammar, source } = evalGrammar(values, model);
    const sentences = sampleSentences(grammar, foldIn(key(f.seed), SPLIT_STREAMS.train), f.pool, { maxLength: seqLen - 2 });
    const r = checkpointHessianTrace(model, grammar, sentences, { samples: f.samples, batchSize: f.batch, seed: f.seed, seqLen });
    const result = {
      checkpoint: model.dir, step: model.step ?? null, objective: model.objective ?? null, network: model.network,
      loss: model.electra ? 'replaced-token detection' : 'mlm', grammar: source, seed: f.seed,
      pool: f.pool, batch: f.batch, seqLen, trace: r.trace, stdErr: r.stdErr, samples: r.samples, dimension: r.dimension, runningMeans: r.runningMeans,
    };
    if (values.json === true) {
      console.log(JSON.stringify(result));
      return 0;
    }
    console.log(
      [
        `checkpoint: ${model.dir}${model.step !== undefined ? ` (step ${model.step})` : ''} (${model.network}, ${result.loss} loss); grammar ${source}`,
        ...r.runningMeans.map((m) => `after ${m.samples} samples: ${fmt(m.mean)}`),
        `trace of the Hessian: ${fmt(r.trace)} ± ${fmt(r.stdErr)} (${r.samples} samples of batch ${f.batch}, ${r.dimension} parameters)`,
      ].join('\n'),
    );
    return 0;
  },
};
