import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as aq from 'arquero';
import * as t from 'io-ts';
import { MANIFEST_FILE } from '../../corpora/dataset/index.ts';
import { type Grammar, readGrammarFile, sampleSentences } from '../../corpora/pcfg/index.ts';
import { excessLoss } from '../../eval/excessLoss.ts';
import { loadCheckpointMlm } from '../../eval/checkpointModel.ts';
import { markdownTable } from '../../eval/report.ts';
import { listCheckpoints } from '../../models/checkpoint/index.ts';
import { objectiveEntry } from '../../objectives/registry.ts';
import { foldIn, key } from '../../prng/key.ts';
import { writeFileAtomic } from '../../util/atomicWrite.ts';
import type { Command } from '../command.ts';
import { CliError, IntFromString, decodeOrThrow } from '../options.ts';
import { prepareDemoFolder } from './demoFolder.ts';
import { pcfgGenerateCommand, SPLIT_STREAMS } from './pcfgGenerate.ts';
import { resolveTrainJob } from '../train/resolveJob.ts';
import { LOG_FILE } from '../train/runFolder.ts';
import { runTrainJob } from '../train/runJob.ts';
import type { TrainConfig } from '../train/trainConfig.ts';

const Flags = t.partial({
  out: t.string, steps: IntFromString, sentences: IntFromString, objectives: t.string, 'eval-sentences': IntFromString, seed: IntFromString,
  quiet: t.boolean, overwrite: t.boolean,
});

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
 * Ctrl-C stops the whole job (exit 130) with the running objective checkpointed and marked cut
 * short in the results; the same command again resumes from what the folder holds.
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
    overwrite: { type: 'boolean' },
  },
  usage: `  --out DIR            where the corpus, runs and results go (default runs/demo); a rerun with the same
                       --steps, --sentences and --seed resumes what is there (Ctrl-C stops the whole job, exit 130)
  --overwrite          start afresh: remove the demo's own files in DIR first
  --steps N            updates per objective (default 240)
  --sentences N        training sentences (default 20000)
  --objectives LIST    comma-separated (default mlm,electra,taco,sctd,se; se continues the mlm run)
  --eval-sentences N   held-out sentences for the single-mask loss (default 150)
  --seed N             (default 0)`,
  async run(values) {
    const f = decodeOrThrow(Flags, values, 'demo');
    const out = f.out ?? 'runs/demo';
    const steps = f.steps ?? 240;
    const sentences = f.sentences ?? 20000;
    const evalCount = f['eval-sentences'] ?? 150;
    const seed = f.seed ?? 0;
    for (const [flag, v] of [['steps', steps], ['sentences', sentences], ['eval-sentences', evalCount]] as const) {
      if (v < 1) throw new CliError(`--${flag} must be at least 1, got ${v}`, { flag });
    }
    const objectives = (f.objectives ?? 'mlm,electra,taco,sctd,se').split(',').map((s) => s.trim()).filter(Boolean);
    if (objectives.includes('se') && !objectives.includes('mlm')) throw new CliError('demo: se continues the mlm run; include mlm', { flag: 'objectives' });
    for (const name of objectives) objectiveEntry(name); // an unknown one is an error before anything is written
    const say = (s: string) => (f.quiet ? undefined : console.error(s));
    const t0 = performance.now();
    prepareDemoFolder(out, { steps, sentences, seed }, f.overwrite ?? false);
    // Ctrl-C stops the whole job: the running objective saves a checkpoint, the others do not start
    const stop = new AbortController();
    const onSigint = () => stop.abort();
    process.on('SIGINT', onSigint);
    try {
      const corpus = join(out, 'corpus');
      if (existsSync(join(corpus, MANIFEST_FILE))) say(`demo: using the corpus in ${corpus}`);
      else {
        rmSync(corpus, { recursive: true, force: true }); // an unfinished one (the writer leaves no manifest)
        say(`demo: generating the corpus (${sentences} sentences of a PCFG with the study's shape)`);
        await pcfgGenerateCommand.run({ out: corpus, 'grammar-seed': '0', sentences: String(sentences), 'valid-sentences': '256', seed: String(seed + 1), 'seq-len': '20' }, []);
      }
      const grammar = readGrammarFile(join(corpus, 'grammar.txt'));
      const evalSentences = sampleSentences(grammar, foldIn(key(seed + 1), SPLIT_STREAMS.valid), evalCount, { maxLength: 18 });

      const rows: Record<string, unknown>[] = [];
      for (const name of objectives) {
        if (stop.signal.aborted) break;
        const runDir = join(out, 'runs', name);
        const trained = listCheckpoints(runDir).at(-1)?.step ?? 0;
        if (trained >= steps) say(`demo: ${name} is already trained (${runDir}; --overwrite retrains)`);
        else {
          const config: TrainConfig = {
            ...DEMO_CONFIG,
            objective: name,
            objectiveOptions: DEMO_OPTIONS[name] ?? {},
            train: { ...DEMO_CONFIG.train, steps, checkpointEvery: Math.max(1, Math.floor(steps / 4)), schedule: { kind: 'linear', lr: name === 'se' ? 5e-4 : 2e-3, warmupSteps: Math.min(20, steps), totalSteps: steps } },
          };
          const job = resolveTrainJob(config, { corpus, seed });
          say(trained > 0 ? `demo: resuming ${name} at step ${trained} of ${steps}` : `demo: training ${name} for ${steps} steps`);
          await runTrainJob(job, {
            out: runDir, resume: trained > 0, overwrite: trained === 0, signal: stop.signal, progress: !f.quiet && process.stderr.isTTY === true,
            ...(name === 'se' ? { initFrom: join(out, 'runs', 'mlm') } : {}), log: say,
          });
        }
        const row = runRow(name, runDir, steps, grammar, evalSentences);
        rows.push(row);
        say(`demo: ${name} ${row['run']}, excess loss ${String(row['excess loss over training'])}`);
      }
      const notRun = objectives.slice(rows.length);
      const table = rows.length > 0 ? markdownTable(aq.from(rows)) : '(no objective trained yet)\n';
      const note = `(single-mask loss in nats per position on ${evalCount} held-out sentences; excess = loss - optimal, see spec 5b5; se continues the mlm model; ` +
        `electra's single-mask loss is its generator's (its model, the discriminator, has no MLM head: eval probe and eval hessian measure it); ` +
        `s/step is the median logged update time${notRun.length > 0 ? `; stopped by Ctrl-C before ${notRun.join(', ')}: rerun the same command to resume` : ''})`;
      writeFileAtomic(join(out, 'results.md'), `${table}\n${note}\n`);
      writeFileAtomic(join(out, 'results.json'), `${JSON.stringify(rows, null, 2)}\n`);
      console.log(table);
      console.log(`${note}\ntotal ${((performance.now() - t0) / 1000).toFixed(0)} s; results in ${out}/results.md`);
      return stop.signal.aborted ? 130 : 0;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  },
};

/** A demo run's row of the results, from its folder: the log (steps, validation loss, update time) and each checkpoint's excess loss. */
function runRow(name: string, runDir: string, steps: number, grammar: Grammar, sentences: Parameters<typeof excessLoss>[1]['sentences']): Record<string, unknown> {
  const logFile = join(runDir, LOG_FILE);
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  const ms = log.flatMap((l) => (typeof l['loss'] === 'number' && typeof l['ms'] === 'number' ? [l['ms']] : [])).sort((a, b) => a - b);
  const valid = log.filter((l) => typeof l['valid_loss'] === 'number').at(-1)?.['valid_loss'] as number | undefined;
  const checkpoints = listCheckpoints(runDir);
  const trained = checkpoints.at(-1)?.step ?? 0;
  const excess: number[] = [];
  let final: ReturnType<typeof excessLoss> | undefined;
  let scored = '-';
  for (const ck of checkpoints) {
    const m = loadCheckpointMlm(ck.dir);
    final = excessLoss(m.view, { grammar, vocab: m.vocab, sentences, seqLen: 20 });
    excess.push(final.excessLoss);
    scored = m.loaded.electra ? 'electra generator' : 'mlm'; // ELECTRA's model, the discriminator, has no MLM head
  }
  return {
    objective: name,
    steps: trained,
    run: trained >= steps ? 'complete' : `cut short at ${trained} of ${steps} (Ctrl-C)`,
    's/step': ms.length > 0 ? +(ms[ms.length >> 1]! / 1000).toFixed(3) : '-',
    "objective's valid loss": valid !== undefined ? +valid.toFixed(4) : '-',
    'scored network': scored,
    'single-mask loss': final ? +final.loss.toFixed(4) : '-',
    optimal: final ? +final.optimalLoss.toFixed(4) : '-',
    'excess loss over training': excess.map((e) => e.toFixed(3)).join(' -> '),
    'excess ± se': final ? `${final.excessLoss.toFixed(3)} ± ${final.excessLossStdErr.toFixed(3)}` : '-',
  };
}
