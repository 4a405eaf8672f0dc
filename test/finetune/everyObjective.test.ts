import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readGrammarFile, sampleDownstreamSentences, taskRows, writeTaskCsv } from '../../corpora/pcfg/index.ts';
import { HostTensor } from '../../dsl/host.ts';
import { flatten } from '../../dsl/tree.ts';
import { loadCheckpointEncoder } from '../../eval/checkpointEncoder.ts';
import { loadClassifier } from '../../finetune/classifierCheckpoint.ts';
import { key } from '../../prng/key.ts';
import { makeTmpDir } from '../corpora/tmpDir.ts';
import { runCli } from './fixtures.ts';

/**
 * Fine-tuning and CSV probes start from the network each objective trains (pcfg generate -> train
 * -> finetune / eval probe): ELECTRA's discriminator (hidden 16; its generator is 8 wide), the
 * plain encoder of MLM, TACO, SE and ScTD.
 */
const OBJECTIVES = { mlm: 'mlm encoder', electra: 'electra discriminator', taco: 'mlm encoder', sctd: 'mlm encoder', se: 'mlm encoder' } as const;
const root = makeTmpDir('pretext-finetune-objectives-');
const corpus = join(root, 'corpus');
const bytes = (tree: unknown) => flatten<HostTensor>(tree, (x) => x instanceof HostTensor).leaves.map((l) => Buffer.from(l.data.buffer, l.data.byteOffset, l.data.byteLength).toString('hex'));

beforeAll(async () => {
  expect((await runCli(['pcfg', 'generate', '--out', corpus, '--grammar-seed', '3', '--sentences', '200', '--seed', '1', '--seq-len', '12', '--valid-sentences', '10'])).code).toBe(0);
  const config = join(root, 'config.json');
  writeFileSync(config, JSON.stringify({
    model: { hidden: 16, layers: 2, heads: 2, ffn: 32, layerNorm: 'post', typeVocabSize: 2 },
    objectiveOptions: {},
    train: { batchSize: 8, logEvery: 1, evalEvery: 0, checkpointEvery: 0, validBatches: 0, schedule: { kind: 'constant', lr: 0.003 } },
  }));
  for (const o of Object.keys(OBJECTIVES)) {
    const init = o === 'se' ? ['--init', join(root, 'mlm')] : [];
    const r = await runCli(['train', '--objective', o, '--corpus', corpus, '--steps', '1', '--out', join(root, o), '--config', config, '--no-progress', ...init]);
    expect(r.code, `${o}: ${r.err}`).toBe(0);
  }
  const grammar = readGrammarFile(join(corpus, 'grammar.txt'));
  const rows = taskRows(grammar, sampleDownstreamSentences(grammar, key(2), 40), 'A');
  const train = rows.slice(0, 20);
  // (a validation label the training rows lack would be an UnknownLabelError)
  const valid = rows.slice(20).filter((r) => train.some((t) => t.label === r.label)).slice(0, 10);
  writeTaskCsv(join(root, 'train.csv'), train);
  writeTaskCsv(join(root, 'valid.csv'), valid);
}, 120_000);

describe('downstream from a checkpoint of every objective', () => {
  for (const [objective, network] of Object.entries(OBJECTIVES)) {
    it(`${objective}: finetune starts from the ${network}; eval probe reads CSV files`, async () => {
      const enc = loadCheckpointEncoder(join(root, objective));
      expect(enc.network).toBe(network);
      const out = join(root, `ft-${objective}`);
      // lr 0 (all steps in warmup) leaves the encoder as loaded: best/ must hold the checkpoint's encoder
      const ft = await runCli(['finetune', '--checkpoint', join(root, objective), '--out', out, '--task', 'B', '--train', '20', '--valid', '10', '--seq-len', '12', '--epochs', '1', '--batch', '10', '--lr', '0', '--json']);
      expect(ft.code, ft.err).toBe(0);
      expect(JSON.parse(ft.out)).toMatchObject({ network, steps: 2 });
      const tuned = loadClassifier(out);
      expect(tuned.config).toEqual(enc.config);
      expect(bytes(tuned.params.encoder)).toEqual(bytes(enc.encoder));
      const probe = await runCli(['eval', 'probe', '--checkpoint', join(root, objective), '--train-csv', join(root, 'train.csv'), '--valid-csv', join(root, 'valid.csv'), '--seq-len', '12', '--epochs', '1', '--batch', '10', '--json']);
      expect(probe.code, probe.err).toBe(0);
      expect(JSON.parse(probe.out)).toMatchObject({ network, objective, train: 20, valid: 10 });
    }, 60_000);
  }
  it('the ELECTRA discriminator is the 16-wide network, not the generator', () => {
    expect(loadClassifier(join(root, 'ft-electra')).config.hidden).toBe(16);
  });
});
