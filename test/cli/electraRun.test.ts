import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGrammarFile, sampleDownstreamSentences, sampleSentences, taskClassNames } from '../../corpora/pcfg/index.ts';
import { excessLoss, linearProbe, loadCheckpointEncoder, loadCheckpointMlm, pcfgProbeData } from '../../eval/index.ts';
import { foldIn, key } from '../../prng/key.ts';
import { readMinimal } from '../models/checkpoint/minimalReader.ts';
import { runCli as run } from '../helpers/runCli.ts';

/**
 * An ELECTRA run through the real path (pcfg generate -> train -> eval): its checkpoint's model is
 * the discriminator (hidden 16), the generator (hidden 8) is stored beside it, and every downstream
 * evaluation measures the discriminator while `eval loss` says it scores the generator.
 */
const dir = mkdtempSync(join(tmpdir(), 'pretext-electra-run-'));
const corpus = join(dir, 'corpus');
const runDir = join(dir, 'run');

const ck = () => join(runDir, 'step-000002');

beforeAll(async () => {
  expect((await run(['pcfg', 'generate', '--out', corpus, '--grammar-seed', '3', '--sentences', '300', '--seed', '1', '--seq-len', '14', '--valid-sentences', '20'])).code).toBe(0);
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({
    model: { hidden: 16, layers: 1, heads: 2, ffn: 32, layerNorm: 'post', typeVocabSize: 2, dropout: 0.1, attentionDropout: 0.1 },
    objectiveOptions: { generatorSize: 0.5, embeddingSize: 8 },
    train: { batchSize: 8, logEvery: 1, evalEvery: 0, checkpointEvery: 2, validBatches: 0, schedule: { kind: 'constant', lr: 0.003, warmupSteps: 1 } },
  }));
  const r = await run(['train', '--objective', 'electra', '--corpus', corpus, '--steps', '2', '--out', runDir, '--config', config, '--no-progress']);
  expect(r.code, r.err).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an ELECTRA run saves and measures its discriminator', () => {
  it('saves the discriminator as an HF ElectraForPreTraining model and the generator beside it', () => {
    const file = readMinimal(join(ck(), 'model.safetensors'));
    const names = Object.keys(file.entries);
    expect(file.entries['electra.encoder.layer.0.attention.self.query.weight']?.shape).toEqual([16, 16]);
    expect(file.entries['discriminator_predictions.dense_prediction.weight']?.shape).toEqual([1, 16]);
    expect(file.entries['generator.electra.encoder.layer.0.attention.self.query.weight']?.shape).toEqual([8, 8]);
    expect(names.filter((n) => n.startsWith('bert.') || n.startsWith('cls.'))).toEqual([]);
    const config = JSON.parse(readFileSync(join(ck(), 'config.json'), 'utf8'));
    expect(config).toMatchObject({ architectures: ['ElectraForPreTraining'], model_type: 'electra', hidden_size: 16, embedding_size: 8 });
    expect(config.pretext).toMatchObject({ hfCompatible: true, objective: { name: 'electra' }, electra: { hfGenerator: { architectures: ['ElectraForMaskedLM'], hidden_size: 8 } } });
  });

  it('loadCheckpointEncoder gives the discriminator: the stored electra.* tensors, not the generator', () => {
    const enc = loadCheckpointEncoder(runDir);
    expect(enc.network).toBe('electra discriminator');
    expect(enc.config.hidden).toBe(16);
    const stored = readMinimal(join(ck(), 'model.safetensors')).values('electra.encoder.layer.0.attention.self.query.weight'); // [out, in]
    const wq = enc.encoder.layers[0]!.attention.wq; // [in, out]
    expect(Array.from(wq.data)).toEqual(Array.from({ length: 256 }, (_, i) => stored[(i % 16) * 16 + Math.floor(i / 16)]));
  });

  it('eval probe probes the discriminator, eval loss scores the generator and says so', async () => {
    const probe = await run(['eval', 'probe', '--checkpoint', runDir, '--task', 'A', '--train', '24', '--valid', '12', '--seed', '2', '--epochs', '2', '--batch', '8', '--seq-len', '14', '--json']);
    expect(probe.code, probe.err).toBe(0);
    const j = JSON.parse(probe.out);
    expect(j).toMatchObject({ network: 'electra discriminator', objective: 'electra' });
    const grammar = readGrammarFile(join(ck(), 'grammar.txt'));
    const enc = loadCheckpointEncoder(runDir);
    const all = sampleDownstreamSentences(grammar, key(2), 36);
    const cut = (a: number, b: number) => ({ tokens: all.tokens.subarray(all.offsets[a]!, all.offsets[b]!), offsets: Int32Array.from(all.offsets.subarray(a, b + 1), (o) => o - all.offsets[a]!) });
    const probeOf = (params: typeof enc.encoder, config: typeof enc.config) => linearProbe({ params, config }, pcfgProbeData(grammar, enc.vocab, 'A', cut(0, 24), 14), pcfgProbeData(grammar, enc.vocab, 'A', cut(24, 36), 14), {
      numLabels: taskClassNames(grammar, 'A').length, key: foldIn(key(2), 1), epochs: 2, batchSize: 8,
    });
    expect(j.epochs).toEqual(probeOf(enc.encoder, enc.config).epochs);
    const generator = loadCheckpointMlm(runDir).view;
    expect(j.epochs).not.toEqual(probeOf(generator.encoder, generator.config).epochs);

    const loss = await run(['eval', 'loss', '--checkpoint', runDir, '--sentences', '6', '--seed', '1', '--seq-len', '14', '--json']);
    expect(loss.code, loss.err).toBe(0);
    const l = JSON.parse(loss.out);
    expect(l.network).toBe('electra generator');
    expect(generator.config.hidden).toBe(8);
    const ref = excessLoss(generator, { grammar, vocab: enc.vocab, sentences: sampleSentences(grammar, foldIn(key(1), 1), 6, { maxLength: 12 }), seqLen: 14 });
    expect(l.loss).toBeCloseTo(ref.loss, 10);
    const human = await run(['eval', 'loss', '--checkpoint', runDir, '--sentences', '6', '--seq-len', '14']);
    expect(human.out).toMatch(/scored: ELECTRA's generator/);
  }, 60_000);

  it("eval hessian measures the discriminator's replaced-token-detection loss", async () => {
    const h = await run(['eval', 'hessian', '--checkpoint', runDir, '--samples', '2', '--batch', '4', '--pool', '8', '--seed', '1', '--seq-len', '14', '--json']);
    expect(h.code, h.err).toBe(0);
    const j = JSON.parse(h.out);
    expect(j).toMatchObject({ network: 'electra discriminator', loss: 'replaced-token detection', samples: 2 });
    // θ is every discriminator tensor (shared embeddings included), none of the generator's
    const file = readMinimal(join(ck(), 'model.safetensors'));
    const size = (n: string) => file.entries[n]!.shape.reduce((a, b) => a * b, 1);
    expect(j.dimension).toBe(Object.keys(file.entries).filter((n) => !n.startsWith('generator.')).reduce((s, n) => s + size(n), 0));
    expect(Number.isFinite(j.trace)).toBe(true);
  }, 60_000);

  it('resumes from its checkpoint (the ELECTRA names load back into the training state)', async () => {
    const r = await run(['train', '--objective', 'electra', '--corpus', corpus, '--steps', '3', '--out', runDir, '--config', join(dir, 'config.json'), '--no-progress', '--resume']);
    expect(r.code, r.err).toBe(0);
    expect(loadCheckpointEncoder(runDir).step).toBe(3);
  }, 60_000);
});
