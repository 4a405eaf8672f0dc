import * as t from 'io-ts';
import { sampleSentences } from '../../corpora/pcfg/index.ts';
import { excessLoss, loadCheckpointMlm } from '../../eval/index.ts';
import { foldIn, key } from '../../prng/index.ts';
import type { Command } from '../command.ts';
import { CliError, decodeOrThrow, IntFromString } from '../options.ts';
import { evalGrammar, evalSourceOptions, evalSourceUsage, fmt } from './evalSource.ts';
import { SPLIT_STREAMS } from './pcfgGenerate.ts';
import { chartGrammar, chartWeightsOptions, chartWeightsUsage, requirePositive } from './pcfgGrammarSource.ts';

const Flags = t.intersection([
  t.type({ checkpoint: t.string, sentences: IntFromString, seed: IntFromString }),
  t.partial({ 'seq-len': IntFromString, batch: IntFromString, json: t.boolean }),
]);

/**
 * `pretext eval loss`: the single-mask loss of a checkpoint's masked LM against the true PCFG
 * conditionals, the paper's way (spec 5b5), with the optimal loss and the excess.
 */
export const evalLossCommand: Command = {
  path: ['eval', 'loss'],
  summary: "a checkpoint's single-mask loss vs the true PCFG conditionals (excess loss)",
  options: {
    ...evalSourceOptions,
    ...chartWeightsOptions,
    sentences: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '0' },
    'seq-len': { type: 'string' },
    batch: { type: 'string' },
    json: { type: 'boolean' },
  },
  usage: `${evalSourceUsage}
  --sentences N        validation sentences (default 1000)
  --seed N             sentence i is drawn from foldIn(foldIn(key(N), 1), i): the validation stream of
                       \`pcfg generate --seed N\`, so these are its validation sentences (default 0)
  --seq-len T          padded input length (default 20, the study's loss script); sentences have at most T-2 words
  --batch N            rows per compiled call (default 256)
${chartWeightsUsage}
  --json               print one JSON object: loss, optimalLoss, excessLoss (nats per masked position,
                       single-mask), their standard errors (stdErr is the excess's), positions, sentences...,
                       and downstream {loss, optimalLoss, excessLoss, ...}: the same over the sentences with
                       4 < length < 32, the subset the study's loss script scores (its downstream CSV)
Every (sentence, position) pair is one input [CLS] w.. [SEP] with that word masked; q is the softmax over
the full vocabulary at the mask, restricted to the grammar's words (not renormalised);
loss = -sum p* ln(q + 1e-12). The model runs in eval mode (no dropout). For an ELECTRA checkpoint the masked LM
scored is its generator (network: "electra generator"); the run's model, the discriminator, has no MLM head.`,
  run(values) {
    const f = decodeOrThrow(Flags, values, 'flags');
    requirePositive(f.sentences, 'sentences');
    const seqLen = f['seq-len'] ?? 20;
    if (seqLen < 3) throw new CliError(`--seq-len must be at least 3, got ${seqLen}`, { flag: 'seq-len', value: seqLen });
    const model = loadCheckpointMlm(f.checkpoint);
    const { grammar, source } = evalGrammar(values, { dir: model.dir, grammar: model.loaded.pretext.grammar });
    const sentences = sampleSentences(grammar, foldIn(key(f.seed), SPLIT_STREAMS.valid), f.sentences, { maxLength: seqLen - 2 });
    const r = excessLoss(model.view, { grammar: chartGrammar(grammar, values), vocab: model.vocab, sentences, seqLen, ...(f.batch !== undefined ? { batchSize: requirePositive(f.batch, 'batch') } : {}) });
    const result = {
      checkpoint: model.dir,
      step: model.step ?? null,
      objective: model.loaded.pretext.objective.name,
      // ELECTRA's model is its discriminator, which has no MLM head: the single-mask loss is its generator's
      network: model.loaded.electra ? 'electra generator' : 'mlm',
      grammar: source,
      seed: f.seed,
      seqLen,
      ...r,
      stdErr: r.excessLossStdErr,
    };
    if (values.json === true) {
      console.log(JSON.stringify(result));
      return 0;
    }
    console.log(
      [
        `checkpoint: ${model.dir}${model.step !== undefined ? ` (step ${model.step})` : ''}, objective ${result.objective}`,
        ...(model.loaded.electra ? ["scored: ELECTRA's generator (the run's model, the discriminator, has no MLM head; eval probe and eval hessian measure it)"] : []),
        `grammar: ${source}; ${r.sentences} validation sentences (seed ${f.seed}), ${r.positions} positions${r.skippedPositions ? `, ${r.skippedPositions} skipped` : ''}`,
        `loss:         ${fmt(r.loss)} ± ${fmt(r.lossStdErr)} nats/position (single mask)`,
        `optimal loss: ${fmt(r.optimalLoss)} ± ${fmt(r.optimalLossStdErr)}`,
        `excess loss:  ${fmt(r.excessLoss)} ± ${fmt(r.excessLossStdErr)}`,
        `downstream subset (4 < length < 32, ${r.downstream.sentences} sentences, ${r.downstream.positions} positions): loss ${fmt(r.downstream.loss)}, ` +
          `optimal ${fmt(r.downstream.optimalLoss)}, excess ${fmt(r.downstream.excessLoss)} ± ${fmt(r.downstream.excessLossStdErr)}`,
      ].join('\n'),
    );
    return 0;
  },
};
