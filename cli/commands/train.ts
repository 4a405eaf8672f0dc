import * as t from 'io-ts';
import type { Command } from '../command.ts';
import { CliError, IntFromString, NumberFromString, decodeOrThrow } from '../options.ts';
import { objectiveNames, OBJECTIVES } from '../../objectives/registry.ts';
import { readTrainConfig, resolveTrainJob } from '../train/resolveJob.ts';
import { applyPreset, presetHelpLines, readPreset } from '../train/presets.ts';
import { runTrainJob } from '../train/runJob.ts';

const Flags = t.intersection([
  t.type({ corpus: t.string, out: t.string }),
  t.partial({
    objective: t.string, steps: IntFromString, preset: t.string, config: t.string, resume: t.boolean, overwrite: t.boolean, seed: IntFromString, 'batch-size': IntFromString,
    lr: NumberFromString, backend: t.union([t.literal('cpu'), t.literal('webgpu')]), init: t.string, 'hard-tokens': t.string, tensorboard: t.string, 'no-progress': t.boolean, json: t.boolean,
  }),
]);

/**
 * `pretext train --objective NAME --corpus DIR --steps N --out DIR [--config FILE.json] [--resume]`:
 * trains an encoder with one objective on a dataset written by `pretext pcfg generate` or
 * `pretext corpus build`. Writes RUN/log.jsonl, RUN/job.json and RUN/step-NNNNNN checkpoints.
 */
export const trainCommand: Command = {
  path: ['train'],
  summary: 'train an encoder with an objective (mlm | electra | taco | se | sctd | electra-tc)',
  options: {
    objective: { type: 'string' },
    corpus: { type: 'string' },
    steps: { type: 'string' },
    out: { type: 'string' },
    preset: { type: 'string' },
    config: { type: 'string' },
    resume: { type: 'boolean' },
    overwrite: { type: 'boolean' },
    seed: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    backend: { type: 'string' },
    init: { type: 'string' },
    'hard-tokens': { type: 'string' },
    tensorboard: { type: 'string' },
    'no-progress': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  // a getter: the preset lines are read from configs/ when help is shown
  get usage() {
    return [
      '  --objective NAME     ' + objectiveNames().map((n) => `${n}`).join(' | '),
      '  --corpus DIR         dataset directory (manifest.json, vocab.txt)',
      '  --steps N            updates to run (total, counting resumed ones); a preset\'s schedule scales with it',
      '  --out DIR            run directory: log.jsonl, job.json, checkpoints step-NNNNNN, latest',
      '  --preset NAME        a method\'s published settings (configs/NAME.json, listed below)',
      '  --config FILE.json   { objective, model, objectiveOptions, train } over the preset (flags win; unknown keys are errors)',
      '  --resume             continue from the run directory\'s latest checkpoint (bit-identical continuation)',
      '  --overwrite          replace the run already in --out (removes only what training wrote there)',
      '  --seed N, --batch-size N, --lr X',
      '  --backend cpu|webgpu where the training steps run (webgpu: WGSL kernels, state on the GPU; validation stays on the cpu)',
      '  --init CKPT          se: the pretrained model to continue from (stage 1 scores the corpus with it)',
      '  --hard-tokens FILE   se: stage-1 output to reuse instead of computing it',
      '  --tensorboard DIR    also write the logged scalars as TensorBoard event files to DIR (tensorboard --logdir DIR)',
      '  --no-progress        no progress bar;  --json: print the summary as JSON',
      '',
      'Objectives:',
      ...Object.entries(OBJECTIVES).map(([n, e]) => `  ${n.padEnd(11)} ${e.summary}`),
      '',
      'Presets (--preset NAME; NAME-quick: the same method scaled to train in minutes on a CPU):',
      ...presetHelpLines(),
    ].join('\n');
  },
  async run(values) {
    const f = decodeOrThrow(Flags, values, 'train');
    const fromConfig = f.config ? readTrainConfig(f.config) : {};
    const config = f.preset ? applyPreset(readPreset(f.preset), fromConfig, f.objective) : fromConfig;
    const job = resolveTrainJob(config, {
      corpus: f.corpus,
      ...(f.objective ? { objective: f.objective } : {}),
      ...(f.steps !== undefined ? { steps: f.steps } : {}),
      ...(f.seed !== undefined ? { seed: f.seed } : {}),
      ...(f['batch-size'] !== undefined ? { batchSize: f['batch-size'] } : {}),
      ...(f.lr !== undefined ? { lr: f.lr } : {}),
    });
    if (f.steps !== undefined && f.steps < 1) throw new CliError('--steps must be at least 1', { flag: 'steps' });
    const result = await runTrainJob(job, {
      out: f.out,
      resume: f.resume ?? false,
      overwrite: f.overwrite ?? false,
      progress: !(f['no-progress'] ?? false) && process.stderr.isTTY === true,
      ...(f.init ? { initFrom: f.init } : {}),
      ...(f['hard-tokens'] ? { hardTokens: f['hard-tokens'] } : {}),
      ...(f.tensorboard ? { tensorboard: f.tensorboard } : {}),
      ...(f.backend ? { backend: f.backend } : {}),
    });
    const last = result.history[result.history.length - 1];
    const valid = result.validation[result.validation.length - 1];
    const summary = {
      objective: job.objectiveName, steps: result.steps, interrupted: result.interrupted,
      loss: last?.loss ?? null, validLoss: valid?.loss ?? null, out: f.out,
    };
    if (f.json) console.log(JSON.stringify(summary));
    else console.error(`${job.objectiveName}: ${result.steps} steps${result.interrupted ? ' (interrupted, checkpoint saved)' : ''}, loss ${summary.loss?.toFixed(4) ?? '-'}, validation loss ${summary.validLoss?.toFixed(4) ?? '-'} -> ${f.out}`);
    return result.interrupted ? 130 : 0;
  },
};
