import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rawValues, readSafetensors } from '../../models/checkpoint/index.ts';
import { makeTmpDir } from '../corpora/tmpDir.ts';
import { runCli as run } from '../helpers/runCli.ts';

// Mistakes in `pretext train` and `pretext demo` are one-line errors naming the flag, field or
// step, and none of them damages a run already on disk.

const dir = makeTmpDir('pretext-safety-');
const corpus = join(dir, 'corpus');
const config = join(dir, 'config.json');
const TRAIN_ROWS = 60;

const train = (out: string, steps: number, ...more: string[]) =>
  run(['train', '--objective', 'mlm', '--corpus', corpus, '--steps', String(steps), '--out', out, '--config', config, '--no-progress', ...more]);

/** Every file under `root` with its bytes (to show that a failed command changed nothing). */
function snapshot(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files[relative(root, p)] = readFileSync(p).toString('base64');
    }
  };
  walk(root);
  return files;
}

const logLines = (run: string) => readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const stepDirs = (run: string) => readdirSync(run).filter((n) => /^step-\d+$/.test(n)).sort();

beforeAll(async () => {
  const gen = await run(['pcfg', 'generate', '--out', corpus, '--grammar-seed', '3', '--sentences', String(TRAIN_ROWS), '--seed', '1', '--seq-len', '10', '--valid-sentences', '16']);
  expect(gen.code, gen.err).toBe(0);
  writeFileSync(config, JSON.stringify({
    model: { hidden: 8, layers: 1, heads: 2, ffn: 16 },
    objectiveOptions: { masking: { kind: 'exact', prob: 0.2 } },
    train: { batchSize: 8, logEvery: 1, evalEvery: 0, checkpointEvery: 2, validBatches: 0, schedule: { kind: 'constant', lr: 0.003 } },
  }));
}, 60_000);
afterAll(() => vi.restoreAllMocks());

describe('train: run folders', () => {
  it('--resume with nothing to resume is an error, and creates nothing', async () => {
    const out = join(dir, 'nothing');
    const r = await train(out, 2, '--resume');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^pretext train: --resume: .*nothing holds no checkpoint to resume from/);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  it('training into a folder that holds a run needs --resume or --overwrite; the run is left as it was', async () => {
    const out = join(dir, 'taken');
    expect((await train(out, 2)).code).toBe(0);
    const before = snapshot(out);
    const r = await train(out, 4);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/already holds a run .*--resume.*--overwrite/);
    expect(snapshot(out)).toEqual(before);
  });

  it('--overwrite replaces the old run and removes only what training wrote', async () => {
    const out = join(dir, 'replaced');
    expect((await train(out, 4)).code).toBe(0);
    expect(stepDirs(out)).toEqual(['step-000002', 'step-000004']);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    mkdirSync(join(out, 'analysis'));
    writeFileSync(join(out, 'analysis', 'plot.svg'), '<svg/>');
    const r = await train(out, 2, '--overwrite');
    expect(r.code, r.err).toBe(0);
    expect(stepDirs(out)).toEqual(['step-000002']);
    expect(logLines(out).filter((l) => 'loss' in l).map((l) => l['update'])).toEqual([1, 2]);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(out, 'analysis', 'plot.svg'))).toBe(true);
    expect((await train(out, 2, '--overwrite', '--resume')).err).toMatch(/--resume and --overwrite contradict each other/);
    // an input inside the folder that --overwrite would clear is refused, not deleted
    const before = snapshot(out);
    expect((await train(out, 2, '--overwrite', '--init', join(out, 'step-000002'))).err).toMatch(/--init .*step-000002 lies in --out .*, which --overwrite clears/);
    expect(snapshot(out)).toEqual(before);
  });

  it('a failed --resume never rewrites the run: a different model or learning rate names the field', async () => {
    const out = join(dir, 'resumed');
    expect((await train(out, 2)).code).toBe(0);
    const before = snapshot(out);
    const wider = join(dir, 'wider.json');
    writeFileSync(wider, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), model: { hidden: 16, layers: 1, heads: 2, ffn: 16 } }));
    const r1 = await run(['train', '--objective', 'mlm', '--corpus', corpus, '--steps', '4', '--out', out, '--config', wider, '--no-progress', '--resume']);
    expect(r1.code).toBe(2);
    expect(r1.err).toMatch(/--resume: .*model\.hidden was 8, now 16/);
    const r2 = await train(out, 4, '--resume', '--lr', '0.01');
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/train\.schedule\.lr was 0\.003, now 0\.01/);
    expect(snapshot(out)).toEqual(before);
    // the same job with more steps resumes
    expect((await train(out, 4, '--resume')).code).toBe(0);
  });

  it('log.jsonl marks a resume and holds each update once, dropping the lines a lost checkpoint had replayed', async () => {
    const out = join(dir, 'replayed');
    expect((await train(out, 6)).code).toBe(0);
    const first = logLines(out).filter((l) => 'loss' in l);
    // as if the process died after logging updates 5 and 6 but before their checkpoint was written
    rmSync(join(out, 'step-000006'), { recursive: true });
    rmSync(join(out, 'latest'));
    const r = await train(out, 6, '--resume');
    expect(r.code, r.err).toBe(0);
    const lines = logLines(out);
    const resume = lines.findIndex((l) => l['event'] === 'resume');
    expect(lines[resume]).toMatchObject({ event: 'resume', step: 4 });
    const updates = lines.filter((l) => 'loss' in l);
    expect(updates.map((l) => l['update'])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(lines.slice(0, resume).every((l) => typeof l['update'] !== 'number' || l['update'] <= 4)).toBe(true);
    // replayed updates are bit-identical to the lost ones
    expect(updates.map((l) => l['loss'])).toEqual(first.map((l) => l['loss']));
  });

  it('job.json and the run folder are written only after the job is validated', async () => {
    const out = join(dir, 'never');
    const r = await train(out, 2, '--batch-size', String(TRAIN_ROWS + 1));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`pretext train: --batch-size ${TRAIN_ROWS + 1} is more than the ${TRAIN_ROWS} training rows of ${corpus}`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('train: bad values are named by their flag or field', () => {
  it.each([
    [['--lr', '0'], /^pretext train: --lr must be positive, got 0$/],
    [['--lr=-0.001'], /^pretext train: --lr must be positive, got -0\.001$/],
    [['--batch-size', '0'], /^pretext train: --batch-size must be at least 1, got 0$/],
  ])('%j', async (flags, message) => {
    const out = join(dir, 'bad-flag');
    const r = await train(out, 2, ...flags);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('a zero learning rate in the config names train.schedule.lr', async () => {
    const zero = join(dir, 'zero-lr.json');
    writeFileSync(zero, JSON.stringify({ train: { schedule: { kind: 'constant', lr: 0 } } }));
    const r = await run(['train', '--objective', 'mlm', '--corpus', corpus, '--steps', '2', '--out', join(dir, 'zero'), '--config', zero]);
    expect(r.code).toBe(2);
    expect(r.err).toBe('pretext train: train.schedule.lr must be positive, got 0');
  });

  it('demo --scale with a scale its study lacks is an error naming the ones it has, and touches nothing', async () => {
    const out = join(dir, 'demo');
    const r = await run(['demo', '--out', out, '--scale', 'huge']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('pretext demo: --scale huge: this study has the scales start, quick, full');
    expect(existsSync(out)).toBe(false);
  });
});

describe('train: a non-finite loss', () => {
  it('stops at the step, names it, keeps the last good checkpoint and saves no non-finite one', async () => {
    const out = join(dir, 'diverged');
    const huge = join(dir, 'huge-lr.json');
    writeFileSync(huge, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), train: { batchSize: 8, logEvery: 1, evalEvery: 0, checkpointEvery: 1, validBatches: 0, schedule: { kind: 'constant', lr: 1e30 } } }));
    const r = await run(['train', '--objective', 'mlm', '--corpus', corpus, '--steps', '20', '--out', out, '--config', huge, '--no-progress']);
    expect(r.code).toBe(2);
    const m = /^pretext train: update (\d+): the loss is (NaN|-?Infinity|[-\d.e+]+) and the gradient norm \S+; training stopped without saving \((the last checkpoint, of update (\d+), is kept|no checkpoint had been saved)/m.exec(r.err);
    expect(m, r.err).not.toBeNull();
    const bad = Number(m![1]);
    expect(bad).toBeGreaterThan(1);
    expect(bad).toBeLessThan(20);
    expect(Number(m![4])).toBe(bad - 1);
    expect(stepDirs(out)).toEqual(Array.from({ length: bad - 1 }, (_, i) => `step-${String(i + 1).padStart(6, '0')}`));
    for (const s of stepDirs(out)) {
      const file = join(out, s, 'model.safetensors');
      for (const [name, t] of readSafetensors(file).tensors) expect(rawValues(t, file).every(Number.isFinite), `${s} ${name}`).toBe(true);
    }
    expect(logLines(out).at(-1)).toMatchObject({ event: 'diverged', step: bad });
  });
});
