import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRESET_DIR, applyPreset, readPreset } from '../../cli/train/presets.ts';
import { resolveSchedule } from '../../cli/train/scheduleConfig.ts';
import { type TrainJob, resolveTrainJob } from '../../cli/train/resolveJob.ts';
import type { TrainConfig } from '../../cli/train/trainConfig.ts';
import { electraModelConfig } from '../../models/electra.ts';
import { runCli as run } from '../helpers/runCli.ts';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'pretext-presets-'));
const corpus = join(dir, 'corpus');

// enough training rows for the PCFG study's 1024-row micro-batches
beforeAll(async () => {
  const gen = await run(['pcfg', 'generate', '--out', corpus, '--grammar-seed', '3', '--sentences', '1100', '--seed', '1', '--seq-len', '14', '--valid-sentences', '40']);
  expect(gen.code, gen.err).toBe(0);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const job = (name: string, flags: { steps?: number } = {}) => resolveTrainJob(applyPreset(readPreset(name), {}), { corpus, ...flags });

/** The settings a method publishes, as a job holds them. */
function published(j: TrainJob) {
  return {
    objective: j.objectiveName, steps: j.steps, schedule: j.schedule,
    adamw: { beta1: j.adamw.beta1, beta2: j.adamw.beta2, eps: j.adamw.eps, weightDecay: j.adamw.weightDecay, decay: j.decay },
    clipNorm: j.clipNorm, batchSize: j.batchSize, accumulate: j.accumulate, lossNormalizer: j.lossNormalizer,
    model: { hidden: j.encoder.hidden, layers: j.encoder.layers, heads: j.encoder.heads, ffn: j.encoder.ffn, layerNorm: j.encoder.layerNorm, dropout: j.encoder.dropout, attentionDropout: j.encoder.attentionDropout },
  };
}

// Every number below is copied from ../shared/spec/objectives.md (section and table named), not from configs/.
const SPEC = {
  // 1b "Stage 2 hyperparameters": roberta_base, Adam (0.9, 0.999) eps 1e-6 wd 0.01, lr 1e-5 polynomial, 6000 warmup of 60000,
  // 8 sequences x update_freq 1, dropout 0.1/0.1, no clipping; 6: normaliser = total non-pad tokens (fairseq)
  se: {
    objective: 'se', steps: 60000, schedule: { kind: 'polynomial', lr: 1e-5, warmupSteps: 6000, totalSteps: 60000, power: 1, endLr: 0 },
    adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-6, weightDecay: 0.01, decay: 'all' }, clipNorm: 0, batchSize: 8, accumulate: 1, lossNormalizer: 'total-tokens',
    model: { hidden: 768, layers: 12, heads: 12, ffn: 3072, layerNorm: 'post', dropout: 0.1, attentionDropout: 0.1 },
  },
  // 2b "Hyperparameters (README)": roberta_large, 8 x update_freq 2, Adam (0.9, 0.999) eps 1e-6 wd 0.01, lr 2e-4 polynomial,
  // 25k warmup of 250k, dropout 0.1/0.1, no clipping; 6: total non-pad tokens
  sctd: {
    objective: 'sctd', steps: 250000, schedule: { kind: 'polynomial', lr: 2e-4, warmupSteps: 25000, totalSteps: 250000, power: 1, endLr: 0 },
    adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-6, weightDecay: 0.01, decay: 'all' }, clipNorm: 0, batchSize: 8, accumulate: 2, lossNormalizer: 'total-tokens',
    model: { hidden: 1024, layers: 24, heads: 16, ffn: 4096, layerNorm: 'post', dropout: 0.1, attentionDropout: 0.1 },
  },
  // 3b "Training (scripts)": L-4 H-512 A-8 FFN 2048, HF AdamW (0.9, 0.999) eps 1e-8 wd 0.01, lr 1e-4 linear, 2.5k warmup of
  // 250k (small script defaults), 256/GPU x accumulation 4 x 2 GPUs; HF Trainer averages micro-batches (6: masked tokens per micro-batch)
  taco: {
    objective: 'taco', steps: 250000, schedule: { kind: 'linear', lr: 1e-4, warmupSteps: 2500, totalSteps: 250000 },
    adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decay: 'noBiasLayerNorm' }, clipNorm: 1, batchSize: 256, accumulate: 4 * 2, lossNormalizer: 'mean-of-micro-batches',
    model: { hidden: 512, layers: 4, heads: 8, ffn: 2048, layerNorm: 'post', dropout: 0.1, attentionDropout: 0.1 },
  },
  // 4b "OpenWebText configuration": discriminator 12 layers 256 hidden 4 heads FFN 1024, dropout 0.1; AdamW lr 5e-4 (0.9, 0.999)
  // eps 1e-8, wd 0.1 except biases and LayerNorm, 10k warmup then linear to 0 at 200k, clipping 1.0, 32/GPU x 4 GPUs (DDP mean)
  electra: {
    objective: 'electra', steps: 200000, schedule: { kind: 'linear', lr: 5e-4, warmupSteps: 10000, totalSteps: 200000 },
    adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decay: 'noBiasLayerNorm' }, clipNorm: 1, batchSize: 32, accumulate: 4, lossNormalizer: 'mean-of-micro-batches',
    model: { hidden: 256, layers: 12, heads: 4, ffn: 1024, layerNorm: 'post', dropout: 0.1, attentionDropout: 0.1 },
  },
  // 5b3 "Model and optimizer": pre-LN d 1024, 16 layers, 16 heads, FFN 4096, dropout 0.1; AdamW lr 5e-4 (0.9, 0.98) eps 1e-6 wd 0.01;
  // batch 4096 of micro-batch 1024; linear schedule with 20% warmup; no clipping (steps vary: here --steps 1000)
  pcfg: {
    objective: 'mlm', steps: 1000, schedule: { kind: 'linear', lr: 5e-4, warmupSteps: 200, totalSteps: 1000 },
    adamw: { beta1: 0.9, beta2: 0.98, eps: 1e-6, weightDecay: 0.01, decay: 'noBiasLayerNorm' }, clipNorm: 0, batchSize: 1024, accumulate: 4, lossNormalizer: 'mean-of-micro-batches',
    model: { hidden: 1024, layers: 16, heads: 16, ffn: 4096, layerNorm: 'pre', dropout: 0.1, attentionDropout: 0.1 },
  },
} as const;

describe('published presets', () => {
  it.each(Object.keys(SPEC) as (keyof typeof SPEC)[])('%s resolves to the spec\'s settings', (name) => {
    expect(published(job(name, name === 'pcfg' ? { steps: 1000 } : {}))).toEqual(SPEC[name]);
  });

  it("the objectives' options are the spec's defaults of each method", () => {
    expect(job('se').objectiveOptions).toMatchObject({ alpha: 0.1, reference: 'model', maskProb: 0.15, threshold: 0.1 }); // 1b
    expect(job('sctd').objectiveOptions).toMatchObject({ dropRatio: 0.5, emaDecay: 0.95, importanceInit: 10, alignEvery: 10, klWeight: 0.05, fixLrefBug: false, maskProb: 0.15 }); // 2b
    expect(job('taco').objectiveOptions).toMatchObject({ negatives: 50, window: 5, temperature: 0.07, weight: 1, lambda: 1, anchors: 'all', maskProb: 0.15 }); // 3b
    expect(job('electra').objectiveOptions).toMatchObject({ maskProb: 0.15, replaceProb: 0.85, randomTokenProb: 0, genWeight: 1, discWeight: 50, temperature: 1 }); // 4b
    expect(job('pcfg', { steps: 1000 }).objectiveOptions).toEqual({ masking: { kind: 'budget', prob: 0.15, maxPredictions: 5, dupFactor: 5 }, normalizer: 'masked' }); // 5b3
  });

  it("ELECTRA's generator is the published small one: 12 layers, 64 hidden, 1 head, FFN 256, embeddings 128 (4b)", () => {
    const j = job('electra');
    const o = j.objectiveOptions as { generatorSize: number; embeddingSize: number };
    const m = electraModelConfig({ discriminator: j.encoder, generatorSize: o.generatorSize, embeddingSize: o.embeddingSize });
    expect([m.generator.layers, m.generator.hidden, m.generator.heads, m.generator.ffn, m.embeddingSize]).toEqual([12, 64, 1, 256, 128]);
  });

  it('--steps scales a preset\'s schedule: the published warmup proportion, decay to 0 at the last step', () => {
    expect(job('se', { steps: 2000 }).schedule).toEqual({ kind: 'polynomial', lr: 1e-5, warmupSteps: 200, totalSteps: 2000, power: 1, endLr: 0 });
  });
});

describe('quick presets', () => {
  const quick = readdirSync(PRESET_DIR).filter((f) => f.endsWith('-quick.json')).map((f) => f.slice(0, -'-quick.json'.length));

  it('every published preset has a NAME-quick version and every file has a description', () => {
    expect(quick.sort()).toEqual(Object.keys(SPEC).sort());
    for (const f of readdirSync(PRESET_DIR)) expect(readPreset(f.replace(/\.json$/, '')).description, f).toMatch(/\S/);
  });

  it.each(Object.keys(SPEC))('%s-quick keeps the method (objective, options, optimizer, clipping, normaliser) and scales the rest', (name) => {
    const full = published(job(name, { steps: 1000 }));
    const q = job(`${name}-quick`);
    const scaled = published(q);
    expect({ ...scaled, steps: 0, schedule: 0, batchSize: 0, accumulate: 0, model: 0 }).toEqual({ ...full, steps: 0, schedule: 0, batchSize: 0, accumulate: 0, model: 0 });
    expect(scaled.schedule.kind).toBe(full.schedule.kind);
    // the scaled model trains in minutes on 2 cores: at most 64 wide and 4 deep (se's is its --init model's), a few hundred steps
    if (name !== 'se') expect([q.encoder.hidden <= 64, q.encoder.layers <= 4]).toEqual([true, true]);
    expect(q.steps * q.batchSize * q.accumulate).toBeLessThanOrEqual(300 * 64);
    const { embeddingSize: _e, ...options } = q.objectiveOptions;
    const { embeddingSize: _f, ...fullOptions } = job(name, { steps: 1000 }).objectiveOptions;
    expect(options).toEqual(fullOptions);
  });

  it('se-quick sets no model: a continued run keeps its --init model whole (pcfg-quick\'s, a transformers BERT, ...)', () => {
    expect(readPreset('se-quick').model).toBeUndefined();
  });
});

describe('precedence: preset < --config < flags', () => {
  const config: TrainConfig = {
    model: { layers: 2 },
    train: { batchSize: 16, accumulate: 3, adamw: { eps: 1e-7 }, schedule: { kind: 'constant', lr: 0.01 } },
  };

  it('a config overrides the preset field by field (its schedule as a whole) and flags override both', () => {
    const j = resolveTrainJob(applyPreset(readPreset('taco-quick'), config), { corpus, batchSize: 8, lr: 0.02 });
    expect(j.encoder.layers).toBe(2); // config
    expect(j.encoder.hidden).toBe(64); // preset
    expect(j.accumulate).toBe(3); // config
    expect(j.batchSize).toBe(8); // flag over config
    expect(j.adamw.eps).toBe(1e-7); // config
    expect(j.adamw.beta2).toBe(0.999); // preset
    expect(j.clipNorm).toBe(1); // preset
    expect(j.schedule).toEqual({ kind: 'constant', lr: 0.02, warmupSteps: 0 }); // config's schedule, flag's lr
    expect(j.objectiveName).toBe('taco');
    expect(j.objectiveOptions).toMatchObject({ negatives: 50 });
  });

  it("another objective (flag or config) drops the preset's objectiveOptions, which are its objective's", () => {
    expect(resolveTrainJob(applyPreset(readPreset('electra-quick'), {}, 'mlm'), { corpus }).objectiveOptions).toEqual({});
    const viaConfig = applyPreset(readPreset('electra-quick'), { objective: 'taco', objectiveOptions: { negatives: 4 } });
    expect(resolveTrainJob(viaConfig, { corpus }).objectiveOptions).toEqual({ negatives: 4 });
  });

  it('pretext train --preset --config --flags writes the merged job', async () => {
    const file = join(dir, 'over.json');
    writeFileSync(file, JSON.stringify({ model: { layers: 1 }, train: { evalEvery: 0 } }));
    const out = join(dir, 'run');
    const r = await run(['train', '--preset', 'pcfg-quick', '--config', file, '--corpus', corpus, '--steps', '1', '--batch-size', '8', '--out', out, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    const written = JSON.parse(readFileSync(join(out, 'job.json'), 'utf8')) as { objective: string; model: { layers: number; hidden: number }; train: Record<string, unknown> };
    expect([written.objective, written.model.layers, written.model.hidden]).toEqual(['mlm', 1, 64]);
    expect(written.train).toMatchObject({ steps: 1, batchSize: 8, accumulate: 2, evalEvery: 0, lossNormalizer: 'mean-of-micro-batches', schedule: { kind: 'linear', lr: 1e-3 } });
  });
});

describe('finding presets', () => {
  it('an unknown preset is an error that lists the available ones', async () => {
    const r = await run(['train', '--preset', 'bert-huge', '--corpus', corpus, '--steps', '1', '--out', join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--preset bert-huge');
    for (const f of readdirSync(PRESET_DIR)) expect(r.err).toContain(f.replace(/\.json$/, ''));
  });

  it('a preset file is checked by the --config codec: an unknown key names the file and the key', () => {
    const presets = join(dir, 'presets');
    mkdirSync(presets);
    writeFileSync(join(presets, 'bad.json'), JSON.stringify({ train: { learningRate: 1 } }));
    expect(() => readPreset('bad', presets)).toThrow(/bad\.json[\s\S]*learningRate/);
  });

  it('train --help lists every preset with its description, from any working directory', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin/pretext.mjs'), 'train', '--help'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const f of readdirSync(PRESET_DIR)) {
      const name = f.replace(/\.json$/, '');
      expect(r.stdout).toMatch(new RegExp(`^ {2}${name} +${readPreset(name).description!.slice(0, 20).replace(/[().*+?^$|[\]\\]/g, '\\$&')}`, 'm'));
    }
  });
});

describe('config schedules', () => {
  it('totalSteps defaults to the run\'s steps and warmupProportion is a share of it; explicit steps win', () => {
    expect(resolveSchedule({ kind: 'linear', lr: 1, warmupProportion: 0.25 }, 80, 2)).toEqual({ kind: 'linear', lr: 2, warmupSteps: 20, totalSteps: 80 });
    expect(resolveSchedule({ kind: 'linear', lr: 1, warmupSteps: 7, totalSteps: 50 }, 80, 1)).toEqual({ kind: 'linear', lr: 1, warmupSteps: 7, totalSteps: 50 });
    expect(resolveSchedule(undefined, 100, 1)).toEqual({ kind: 'linear', lr: 1, warmupSteps: 6, totalSteps: 100 });
  });

  it('contradictory fields are errors naming the field', () => {
    expect(() => resolveSchedule({ kind: 'linear', lr: 1, warmupSteps: 5, warmupProportion: 0.1 }, 80, 1)).toThrow(/train\.schedule\.warmupProportion/);
    expect(() => resolveSchedule({ kind: 'linear', lr: 1, power: 2 }, 80, 1)).toThrow(/train\.schedule\.power.*polynomial/);
    expect(() => resolveSchedule({ kind: 'constant', lr: 1, totalSteps: 9 }, 80, 1)).toThrow(/train\.schedule\.totalSteps/);
  });
});
