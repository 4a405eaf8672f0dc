import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as aq from 'arquero';
import * as t from 'io-ts';
import { readGrammarFile, sampleSentences } from '../../corpora/pcfg/index.ts';
import { excessLoss } from '../../eval/excessLoss.ts';
import { loadCheckpointMlm } from '../../eval/checkpointModel.ts';
import { markdownTable } from '../../eval/report.ts';
import { listCheckpoints } from '../../models/checkpoint/index.ts';
import { foldIn, key } from '../../prng/key.ts';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import type { Command } from '../command.ts';
import { CliError, IntFromString, decodeOrThrow } from '../options.ts';
import { pcfgGenerateCommand, SPLIT_STREAMS } from './pcfgGenerate.ts';
import { resolveTrainJob } from '../train/resolveJob.ts';
import { runTrainJob } from '../train/runJob.ts';
import type { TrainConfig } from '../train/trainConfig.ts';

const Flags = t.partial({ out: t.string, steps: IntFromString, sentences: IntFromString, objectives: t.string, 'eval-sentences': IntFromString, seed: IntFromString, quiet: t.boolean });

/** The demo's model and run settings: a small pre-LN encoder, as in the PCFG study but scaled down. */
const DEMO_CONFIG: TrainConfig = {
  model: { hidden: 64, layers: 4, heads: 4, ffn: 256, layerNorm: 'pre', dropout: 0.1, attentionDropout: 0, layerNormEps: 1e-12 },
  train: { batchSize: 64, logEvery: 20, evalEvery: 0, validBatches: 2, schedule: { kind: 'linear', lr: 2e-3, warmupSteps: 20, totalSteps: 0 } },
};
const DEMO_OPTIONS: Record<string, Record<string, unknown>> = {
  mlm: { masking: { kind: 'exact', prob: 0.15 } },
  electra: { generatorSize: 0.5, discWeight: 50 },
  taco: { negatives: 16 },
  sctd: { dropRatio: 0.5 },
  se: {},
};

/**
 * `pretext demo` (npm start): the main job on built-in defaults. Generates a PCFG corpus with the
 * study's grammar shape, trains a small encoder with each objective for a fixed number of
 * updates, and prints the single-mask loss against the true conditionals (spec 5b5) at the start,
 * middle and end of every run: the excess loss over the optimum falls as the models learn.
 */
export const demoCommand: Command = {
  path: ['demo'],
  summary: 'the main job: PCFG corpus -> each objective trained -> table of validation and excess loss',
  options: {
    out: { type: 'string' },
    steps: { type: 'string' },
    sentences: { type: 'string' },
    objectives: { type: 'string' },
    'eval-sentences': { type: 'string' },
    seed: { type: 'string' },
    quiet: { type: 'boolean' },
  },
  usage: `  --out DIR            where the corpus, runs and results go (default runs/demo; replaced)
  --steps N            updates per objective (default 240)
  --sentences N        training sentences (default 20000)
  --objectives LIST    comma-separated (default mlm,electra,taco,sctd,se; se continues the mlm run)
  --eval-sentences N   held-out sentences for the single-mask loss (default 150)
  --seed N             (default 0)`,
  async run(values) {
    const f = decodeOrThrow(Flags, values, 'demo');
    const out = f.out ?? 'runs/demo';
    const steps = f.steps ?? 240;
    const seed = f.seed ?? 0;
    const objectives = (f.objectives ?? 'mlm,electra,taco,sctd,se').split(',').map((s) => s.trim()).filter(Boolean);
    if (objectives.includes('se') && !objectives.includes('mlm')) throw new CliError('demo: se continues the mlm run; include mlm', { flag: 'objectives' });
    const say = (s: string) => (f.quiet ? undefined : console.error(s));
    const t0 = performance.now();
    if (existsSync(out)) rmSync(out, { recursive: true, force: true });
    const corpus = join(out, 'corpus');
    say(`demo: generating the corpus (${f.sentences ?? 20000} sentences of a PCFG with the study's shape)`);
    await pcfgGenerateCommand.run({ out: corpus, 'grammar-seed': '0', sentences: String(f.sentences ?? 20000), 'valid-sentences': '256', seed: String(seed + 1), 'seq-len': '20' }, []);
    const grammar = readGrammarFile(join(corpus, 'grammar.txt'));
    const evalSentences = sampleSentences(grammar, foldIn(key(seed + 1), SPLIT_STREAMS.valid), f['eval-sentences'] ?? 150, { maxLength: 18 });

    const rows: Record<string, unknown>[] = [];
    for (const name of objectives) {
      const config: TrainConfig = {
        ...DEMO_CONFIG,
        objective: name,
        objectiveOptions: DEMO_OPTIONS[name] ?? {},
        train: { ...DEMO_CONFIG.train, steps, checkpointEvery: Math.max(1, Math.floor(steps / 4)), schedule: { kind: 'linear', lr: name === 'se' ? 5e-4 : 2e-3, warmupSteps: Math.min(20, steps), totalSteps: steps } },
      };
      const job = resolveTrainJob(config, { corpus, seed });
      const runDir = join(out, 'runs', name);
      const started = performance.now();
      say(`demo: training ${name} for ${steps} steps`);
      const result = await runTrainJob(job, { out: runDir, resume: false, progress: !f.quiet && process.stderr.isTTY === true, ...(name === 'se' ? { initFrom: join(out, 'runs', 'mlm') } : {}), log: say });
      const seconds = (performance.now() - started) / 1000;
      const excess: number[] = [];
      let final: ReturnType<typeof excessLoss> | undefined;
      for (const ck of listCheckpoints(runDir)) {
        const m = loadCheckpointMlm(ck.dir);
        final = excessLoss(m.view, { grammar, vocab: m.vocab, sentences: evalSentences, seqLen: 20 });
        excess.push(final.excessLoss);
      }
      const valid = result.validation[result.validation.length - 1];
      rows.push({
        objective: name,
        steps: result.steps,
        's/step': +(seconds / result.steps).toFixed(3),
        "objective's valid loss": valid ? +valid.loss.toFixed(4) : '-',
        'single-mask loss': final ? +final.loss.toFixed(4) : '-',
        optimal: final ? +final.optimalLoss.toFixed(4) : '-',
        'excess loss over training': excess.map((e) => e.toFixed(3)).join(' -> '),
        'excess ± se': final ? `${final.excessLoss.toFixed(3)} ± ${final.excessLossStdErr.toFixed(3)}` : '-',
      });
      say(`demo: ${name} done in ${seconds.toFixed(0)} s, excess loss ${excess.map((e) => e.toFixed(3)).join(' -> ')}`);
    }
    const table = markdownTable(aq.from(rows));
    writeFileAtomic(join(out, 'results.md'), `${table}\n`);
    writeFileAtomic(join(out, 'results.json'), `${JSON.stringify(rows, null, 2)}\n`);
    console.log(table);
    console.log(`\n(single-mask loss in nats per position on ${f['eval-sentences'] ?? 150} held-out sentences; excess = loss - optimal, see spec 5b5; se continues the mlm model; total ${((performance.now() - t0) / 1000).toFixed(0)} s; results in ${out}/results.md)`);
    return 0;
  },
};
