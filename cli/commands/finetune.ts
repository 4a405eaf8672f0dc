import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as t from 'io-ts';
import { formatVocabText } from '../../corpora/tokenizer/index.ts';
import { loadCheckpointEncoder } from '../../eval/checkpointEncoder.ts';
import { BEST_MODEL_DIR, classifierConfig, saveClassifier } from '../../finetune/classifierCheckpoint.ts';
import type { ResolvedColumns } from '../../finetune/csvTask.ts';
import { FINETUNE_DEFAULTS, type EvalRecord, type FinetuneOptions, finetune } from '../../finetune/finetune.ts';
import { finetuneSummary } from '../../finetune/results.ts';
import { initSequenceClassifier } from '../../finetune/sequenceClassifier.ts';
import { CONFIG_FILE, latestCheckpoint } from '../../models/checkpoint/index.ts';
import { readJson } from '../../models/checkpoint/checkpointDir.ts';
import { foldIn, key } from '../../prng/index.ts';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import { strictPartial } from '../../util/strictCodec.ts';
import type { Command } from '../command.ts';
import { CliError, decodeOrThrow, IntFromString, NumberFromString } from '../options.ts';
import { downstreamTaskOptions, downstreamTaskUsage, loadDownstreamTask } from './downstreamTask.ts';
import { fmt } from './evalSource.ts';

const PositiveInt = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'positive integer');
const NonNegativeInt = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'non-negative integer');

/** `finetune --config FILE`: the fine-tuning settings (flags win; unknown keys are errors). */
const FinetuneConfigCodec = strictPartial(
  {
    epochs: PositiveInt, batchSize: PositiveInt, lr: t.number, warmupSteps: NonNegativeInt, weightDecay: t.number, clipNorm: t.number,
    evalEvery: NonNegativeInt, seed: NonNegativeInt, seqLen: PositiveInt,
  },
  'config',
);

const Flags = t.intersection([
  t.type({ checkpoint: t.string, out: t.string }),
  t.partial({
    config: t.string, epochs: IntFromString, batch: IntFromString, lr: NumberFromString, warmup: IntFromString, 'weight-decay': NumberFromString,
    'clip-norm': NumberFromString, 'eval-every': IntFromString, 'seq-len': IntFromString, seed: IntFromString,
    'from-scratch': t.boolean, resume: t.boolean, json: t.boolean,
  }),
]);

function readConfig(file: string) {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`${file}: cannot read the config (${(e as Error).message})`, { file });
  }
  return decodeOrThrow(FinetuneConfigCodec, json, file);
}

/** A run resumes with the settings it started with (the step checkpoints' config.json records them). */
function checkResumable(out: string, latest: string | undefined, options: FinetuneOptions): void {
  if (latest === undefined) throw new CliError(`--resume: ${out} holds no fine-tuning checkpoint`, { flag: 'resume', dir: out });
  const was = (readJson(join(latest, CONFIG_FILE), true) as { pretext?: { options?: Record<string, unknown> } }).pretext?.options ?? {};
  for (const [k, v] of Object.entries(options)) {
    if (was[k] !== v) throw new CliError(`--resume: the run in ${out} has ${k} ${JSON.stringify(was[k])}, not ${JSON.stringify(v)}`, { flag: 'resume', field: k });
  }
}

const metricText = (e: EvalRecord) => Object.entries(e.metrics).map(([k, v]) => `${k} ${fmt(v as number)}`).join(', ');

/** `pretext finetune`: full fine-tuning of a checkpoint's encoder with a sequence-classification head (spec 5b7). */
export const finetuneCommand: Command = {
  path: ['finetune'],
  summary: "fine-tune a checkpoint's encoder with a classification head on a PCFG task or CSV/TSV files",
  options: {
    checkpoint: { type: 'string' },
    out: { type: 'string' },
    ...downstreamTaskOptions,
    config: { type: 'string' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    warmup: { type: 'string' },
    'weight-decay': { type: 'string' },
    'clip-norm': { type: 'string' },
    'eval-every': { type: 'string' },
    'seq-len': { type: 'string' },
    'from-scratch': { type: 'boolean' },
    resume: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  usage: `  --checkpoint DIR     a checkpoint (or run directory) of any objective: its encoder is fine-tuned (ELECTRA:
                       the discriminator; ScTD: the plain encoder, no token dropping), or a transformers BERT directory
  --out DIR            run directory: log.jsonl, results.json, step-N checkpoints (for --resume) and
                       best/, the best model in HF BertForSequenceClassification layout (for pretext predict)
${downstreamTaskUsage}
  --epochs N (50) --batch N (128) --lr X (1e-4) --warmup N (50 steps) --weight-decay X (0.01)
  --clip-norm X (1; 0 for none) --eval-every N (200 updates; also at every epoch's end) --seq-len L (32, or the model's positions if fewer)
  --seed S             also seeds shuffling, dropout and the head's initialisation
  --config FILE.json   { epochs, batchSize, lr, warmupSteps, weightDecay, clipNorm, evalEvery, seed, seqLen } (flags win)
  --from-scratch       the same architecture from random initialisation (the baseline)
  --resume             continue the run in --out from its latest checkpoint (bit-identical)
  --json               print results.json: per-epoch metrics, the best checkpoint's, bestAccuracy (the best
                       of each metric), majority
Defaults are the PCFG study's (spec 5b7): AdamW (betas 0.9/0.999, no decay on biases and LayerNorm), a
polynomial decay to 1e-7 after warmup, HF BertForSequenceClassification's head (pooler on [CLS], dropout, linear).`,
  async run(values) {
    const f = decodeOrThrow(Flags, values, 'flags');
    const fromFile = f.config ? readConfig(f.config) : {};
    const options: FinetuneOptions = {
      ...FINETUNE_DEFAULTS,
      ...fromFile,
      ...(f.epochs !== undefined ? { epochs: f.epochs } : {}),
      ...(f.batch !== undefined ? { batchSize: f.batch } : {}),
      ...(f.lr !== undefined ? { lr: f.lr } : {}),
      ...(f.warmup !== undefined ? { warmupSteps: f.warmup } : {}),
      ...(f['weight-decay'] !== undefined ? { weightDecay: f['weight-decay'] } : {}),
      ...(f['clip-norm'] !== undefined ? { clipNorm: f['clip-norm'] } : {}),
      ...(f['eval-every'] !== undefined ? { evalEvery: f['eval-every'] } : {}),
      ...(f.seed !== undefined ? { seed: f.seed } : {}),
    };
    const latest = latestCheckpoint(f.out);
    if (!f.resume && latest !== undefined) {
      throw new CliError(`${f.out} already holds a fine-tuning run: --resume to continue it, or choose another --out`, { flag: 'out', dir: f.out });
    }
    if (f.resume) checkResumable(f.out, latest, options);
    const enc = loadCheckpointEncoder(f.checkpoint);
    // Spec 5b7's 32, or fewer where the model has fewer positions (as eval probe does); an explicit longer one is an error.
    const seqLen = f['seq-len'] ?? fromFile.seqLen ?? Math.min(32, enc.config.maxPositions);
    const { data, description } = loadDownstreamTask(values, enc, seqLen);
    const say = (line: string) => (f.json ? undefined : console.error(line));
    if (data.train.tokenTypes.some((x) => x > 0) && enc.config.typeVocabSize < 2) {
      say(`note: ${enc.dir} has no token type embeddings; the two texts of a pair are told apart by [SEP] only`);
    }
    const fromScratch = f['from-scratch'] ?? false;
    const start = initSequenceClassifier(enc.config, data.labels, foldIn(key(options.seed), 2), fromScratch ? undefined : enc.encoder);
    const columns = data.source.columns as ResolvedColumns | undefined;
    const stored = { config: enc.config, labels: data.labels, vocab: enc.vocab, seqLen, ...(columns ? { columns } : {}) };
    const more = { finetunedFrom: { checkpoint: enc.dir, step: enc.step ?? null, objective: enc.objective ?? null, network: enc.network }, fromScratch, options, seqLen };
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    let r;
    try {
      r = await finetune(start, data, options, {
        dir: f.out,
        resume: f.resume ?? false,
        config: classifierConfig(stored, more, false),
        files: { 'vocab.txt': formatVocabText(enc.vocab) },
        saveBest: (m, at) => saveClassifier(join(f.out, BEST_MODEL_DIR), { ...stored, params: m.params }, { ...more, step: at.step }),
      }, {
        signal: abort.signal,
        onEval: (e) => say(`step ${String(e.step).padStart(5)} (epoch ${e.epoch.toFixed(2)}): train loss ${fmt(e.trainLoss)}, valid loss ${fmt(e.validLoss)}, ${metricText(e)}`),
      });
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
    const summary = finetuneSummary(r, data, { checkpoint: enc.dir, network: enc.network, fromScratch, out: f.out, model: join(f.out, BEST_MODEL_DIR) });
    writeFileAtomic(join(f.out, 'results.json'), `${JSON.stringify(summary, null, 2)}\n`);
    if (f.json) console.log(JSON.stringify(summary));
    else {
      const b = r.best;
      console.log(
        [
          `${fromScratch ? 'from scratch (architecture of ' : ''}${enc.dir}${fromScratch ? ')' : ` (${enc.network})`}; ${description}; ${data.train.rows} train / ${data.valid.rows} valid rows` +
            (data.train.truncated + data.valid.truncated > 0 ? `, ${data.train.truncated + data.valid.truncated} truncated to ${seqLen} tokens` : ''),
          ...r.evals.filter((e) => e.endOfEpoch).map((e) => `epoch ${String(e.epoch).padStart(3)}: train loss ${fmt(e.trainLoss)}, valid loss ${fmt(e.validLoss)}, ${metricText(e)}`),
          b ? `best: step ${b.step} (epoch ${b.epoch.toFixed(2)}), ${metricText(b)}; majority ${fmt(summary.majority as number)} -> ${join(f.out, BEST_MODEL_DIR)}` : 'no evaluation ran',
          ...(r.interrupted ? [`interrupted at step ${r.steps} of ${r.totalSteps}: --resume to continue`] : []),
        ].join('\n'),
      );
    }
    return r.interrupted ? 130 : 0;
  },
};
