import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readVocabFile } from '../../corpora/tokenizer/index.ts';
import { checkpointConfig, saveCheckpoint } from '../../models/checkpoint/index.ts';
import { encoderConfig, type EncoderConfig } from '../../models/config.ts';
import { makeTmpDir } from '../corpora/tmpDir.ts';
import { randomMlmParams } from '../models/checkpoint/fixtures.ts';
import { writeHfCheckpoint } from '../models/checkpoint/hfFixtures.ts';
import { runCli as run } from '../helpers/runCli.ts';

afterEach(() => vi.restoreAllMocks());

const dir = makeTmpDir('pretext-init-');
const corpus = join(dir, 'corpus');
const SHAPE = { hidden: 16, layers: 1, heads: 2, ffn: 32 };
const TRAIN = { batchSize: 16, logEvery: 1, evalEvery: 0, checkpointEvery: 1, validBatches: 0 };
let vocabText = '';
let pretrained: EncoderConfig;

/** A config file with these model fields (the shape agrees with the checkpoint, as the old check required). */
function configFile(name: string, model: Record<string, unknown>): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ model: { ...SHAPE, ...model }, train: TRAIN }));
  return file;
}

const train = (init: string, out: string, config: string, objective = 'se') =>
  run(['train', '--objective', objective, '--corpus', corpus, '--steps', '1', '--out', join(dir, out), '--init', init, '--config', config, '--no-progress']);

beforeAll(async () => {
  const gen = await run(['pcfg', 'generate', '--out', corpus, '--grammar-seed', '3', '--sentences', '120', '--seed', '1', '--seq-len', '14', '--valid-sentences', '20']);
  expect(gen.code, gen.err).toBe(0);
  vocabText = readFileSync(join(corpus, 'vocab.txt'), 'utf8');
  // a post-LN, tanh-GELU, token-type model: everything the train defaults (pre-LN, erf, no token types) are not
  pretrained = encoderConfig({
    ...SHAPE, vocabSize: readVocabFile(join(corpus, 'vocab.txt')).size, maxPositions: 16, typeVocabSize: 2, layerNorm: 'post', gelu: 'tanh',
    layerNormEps: 1e-7, dropout: 0.05, attentionDropout: 0.02,
  });
  saveCheckpoint(join(dir, 'post-ln'), {
    config: checkpointConfig({ encoder: pretrained, objective: { name: 'mlm' }, vocab: { file: 'vocab.txt' } }),
    params: randomMlmParams(pretrained, 5, 0.05), files: { 'vocab.txt': vocabText },
  });
}, 60_000);

const jobModel = (out: string) => JSON.parse(readFileSync(join(dir, out, 'job.json'), 'utf8')).model as EncoderConfig;
const savedEncoder = (out: string) => JSON.parse(readFileSync(join(dir, out, 'step-000001', 'config.json'), 'utf8')).pretext.encoder as EncoderConfig;

describe('train --init continues the model it is given', () => {
  it('a post-LN checkpoint trains as post-LN: the run takes the whole architecture from it (defaults yield)', async () => {
    const r = await train(join(dir, 'post-ln'), 'se-post', configFile('shape-only', {}));
    expect(r.code, r.err).toBe(0);
    expect(jobModel('se-post')).toEqual(pretrained);
    expect(savedEncoder('se-post')).toEqual(pretrained);
  });

  it('a config field that contradicts the checkpoint is an error naming the field and both values', async () => {
    const r = await train(join(dir, 'post-ln'), 'se-contradict', configFile('pre-ln', { layerNorm: 'pre' }));
    expect(r.code).toBe(2);
    expect(r.err).toContain('has layerNorm "post", the config sets model.layerNorm "pre"');
    const eps = await train(join(dir, 'post-ln'), 'se-eps', configFile('eps', { layerNormEps: 1e-12 }));
    expect(eps.code).toBe(2);
    expect(eps.err).toContain('has layerNormEps 1e-7, the config sets model.layerNormEps 1e-12');
    // an explicit setting that agrees is fine
    const same = await train(join(dir, 'post-ln'), 'se-same', configFile('same', { layerNorm: 'post', gelu: 'tanh' }));
    expect(same.code, same.err).toBe(0);
  });

  it('continues a plain transformers BERT checkpoint, and refuses one whose vocabulary is not the dataset\'s', async () => {
    const tokens = vocabText.trimEnd().split('\n');
    const hfConfig = { ...pretrained, gelu: 'erf' as const, layerNormEps: 1e-12, dropout: 0.1, attentionDropout: 0.1 };
    const layout = { family: 'bert' as const, prefixed: true, head: true, tiedCopies: true, positionIds: true, vocab: tokens };
    writeHfCheckpoint(join(dir, 'hf-bert'), randomMlmParams(hfConfig, 6, 0.05), hfConfig, layout);
    const r = await train(join(dir, 'hf-bert'), 'se-hf', configFile('shape-only', {}));
    expect(r.code, r.err).toBe(0);
    expect(jobModel('se-hf')).toEqual(hfConfig);

    const swapped = [tokens[0]!, tokens[1]!, tokens[2]!, tokens[3]!, tokens[4]!, tokens[6]!, tokens[5]!, ...tokens.slice(7)];
    writeHfCheckpoint(join(dir, 'hf-other-vocab'), randomMlmParams(hfConfig, 6, 0.05), hfConfig, { ...layout, vocab: swapped });
    const bad = await train(join(dir, 'hf-other-vocab'), 'se-hf-vocab', configFile('shape-only', {}));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`id 5 is ${JSON.stringify(tokens[6])} there, ${JSON.stringify(tokens[5])} here`);
  });

  it('--init with an objective that does not continue a model is an error, not ignored', async () => {
    const r = await train(join(dir, 'post-ln'), 'mlm-init', configFile('shape-only', {}), 'mlm');
    expect(r.code).toBe(2);
    expect(r.err).toContain("--init continues a pretrained model with --objective se; this run's objective is mlm");
  });
});
