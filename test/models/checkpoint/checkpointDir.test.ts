import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostTensor } from '../../../dsl/host.ts';
import {
  CheckpointConfigError, CheckpointError, MissingTensorError, TensorDTypeError, TensorShapeError, UnexpectedTensorError,
  checkpointConfig, checkpointName, latestCheckpoint, listCheckpoints, loadCheckpoint, mlmModelSpec, saveCheckpoint, saveRunCheckpoint,
  writeSafetensors, type TensorToWrite,
} from '../../../models/checkpoint/index.ts';
import { adamwInit } from '../../../train/optim/adamw.ts';
import { makeTmpDir } from '../../corpora/tmpDir.ts';
import { expectSameTree, randomMlmParams, tinyConfig } from './fixtures.ts';
import { readMinimal } from './minimalReader.ts';

const f32 = (axes: string[], shape: number[], values: number[]) => new HostTensor(axes, shape, 'f32', Float32Array.from(values));

describe('checkpoint directories', () => {
  it('round-trip params, extra, optimizer and trainer state (post-LN and pre-LN), with and without an expected structure', () => {
    const root = makeTmpDir('pretext-ckpt-');
    for (const layerNorm of ['post', 'pre'] as const) {
      const config = tinyConfig({ layerNorm });
      const params = randomMlmParams(config, 3);
      const extra = { importance: f32(['vocab'], [13], Array.from({ length: 13 }, (_, i) => i / 7)), count: new HostTensor([], [], 'i32', [42]), seen: new HostTensor(['vocab'], [13], 'bool', Uint8Array.from({ length: 13 }, (_, i) => i % 2)) };
      const optimizer = { ...adamwInit(params), step: new HostTensor([], [], 'u32', [7]) };
      const trainer = { step: 100, seed: 5, cursor: { epoch: 1, offset: 12 }, note: 'x' };
      const dir = join(root, layerNorm);
      saveCheckpoint(dir, {
        config: checkpointConfig({ encoder: config, objective: { name: 'mlm' }, vocab: { file: 'vocab.txt' } }),
        params, extra, optimizer, trainer, files: { 'vocab.txt': 'a\nb\n' },
      });
      expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors', 'optimizer.safetensors', 'trainer.json', 'vocab.txt']);
      const loose = loadCheckpoint(dir);
      expectSameTree(loose.params, params);
      expectSameTree(loose.extra, extra);
      expectSameTree(loose.optimizer, optimizer);
      expect(loose.trainer).toEqual(trainer);
      expect((loose.config as { pretext: { hfCompatible: boolean } }).pretext.hfCompatible).toBe(layerNorm === 'post');
      const strict = loadCheckpoint(dir, { params: mlmModelSpec(config), extra, optimizer });
      expectSameTree(strict.params, params);
      expectSameTree(strict.optimizer, optimizer);
    }
  });

  it('stores an MLM model under Hugging Face BERT names, Linear weights transposed to [out, in]', () => {
    const dir = join(makeTmpDir('pretext-ckpt-'), 'hf');
    const config = tinyConfig({ layers: 2, gelu: 'tanh' });
    const params = randomMlmParams(config, 11);
    saveCheckpoint(dir, { config: checkpointConfig({ encoder: config, objective: { name: 'mlm' } }), params, extra: { table: f32(['vocab'], [2], [1, 2]) } });
    const m = readMinimal(join(dir, 'model.safetensors'));
    const d = config.hidden;
    const names = Object.keys(m.entries).sort();
    const want = [
      'bert.embeddings.LayerNorm.bias', 'bert.embeddings.LayerNorm.weight', 'bert.embeddings.position_embeddings.weight',
      'bert.embeddings.token_type_embeddings.weight', 'bert.embeddings.word_embeddings.weight',
      ...[0, 1].flatMap((i) => [
        'attention.output.LayerNorm.bias', 'attention.output.LayerNorm.weight', 'attention.output.dense.bias', 'attention.output.dense.weight',
        'attention.self.key.bias', 'attention.self.key.weight', 'attention.self.query.bias', 'attention.self.query.weight',
        'attention.self.value.bias', 'attention.self.value.weight', 'intermediate.dense.bias', 'intermediate.dense.weight',
        'output.LayerNorm.bias', 'output.LayerNorm.weight', 'output.dense.bias', 'output.dense.weight',
      ].map((n) => `bert.encoder.layer.${i}.${n}`)),
      'cls.predictions.bias', 'cls.predictions.transform.LayerNorm.bias', 'cls.predictions.transform.LayerNorm.weight',
      'cls.predictions.transform.dense.bias', 'cls.predictions.transform.dense.weight', 'pretext.extra.table',
    ].sort();
    expect(names).toEqual(want);
    expect(m.metadata.format).toBe('pt');
    // query: pretext wq [in=hidden, out=qkv]; HF [out, in]
    const q = m.entries['bert.encoder.layer.1.attention.self.query.weight']!;
    expect(q.shape).toEqual([d, d]);
    const wq = params.encoder.layers[1]!.attention.wq;
    const stored = m.values('bert.encoder.layer.1.attention.self.query.weight');
    for (let o = 0; o < d; o++) for (let i = 0; i < d; i++) expect(stored[o * d + i]).toBe(wq.data[i * d + o]);
    // the FFN input layer is not square: [ffn, hidden] in HF
    expect(m.entries['bert.encoder.layer.0.intermediate.dense.weight']!.shape).toEqual([config.ffn, d]);
    expect(m.entries['bert.encoder.layer.0.output.dense.weight']!.shape).toEqual([d, config.ffn]);
    expect(m.values('bert.embeddings.word_embeddings.weight')).toEqual(Array.from(params.encoder.embeddings.word.data));
    // every tensor holds the data of the pretext tensor the HF name stands for (Linear weights transposed)
    const transposed = (t: HostTensor) => {
      const [rows, cols] = t.shape as [number, number];
      return Array.from({ length: rows * cols }, (_, k) => t.data[(k % rows) * cols + Math.floor(k / rows)]!);
    };
    const e = params.encoder;
    const pairs: [string, HostTensor, boolean][] = [
      ['bert.embeddings.position_embeddings.weight', e.embeddings.position, false],
      ['bert.embeddings.token_type_embeddings.weight', e.embeddings.tokenType!, false],
      ['bert.embeddings.LayerNorm.weight', e.embeddings.ln.gain, false],
      ['bert.embeddings.LayerNorm.bias', e.embeddings.ln.bias, false],
      ['cls.predictions.transform.dense.weight', params.mlmHead.transform.w, true],
      ['cls.predictions.transform.dense.bias', params.mlmHead.transform.b, false],
      ['cls.predictions.transform.LayerNorm.weight', params.mlmHead.ln.gain, false],
      ['cls.predictions.transform.LayerNorm.bias', params.mlmHead.ln.bias, false],
    ];
    e.layers.forEach((l, i) => {
      const h = `bert.encoder.layer.${i}`;
      pairs.push(
        [`${h}.attention.self.query.weight`, l.attention.wq, true], [`${h}.attention.self.query.bias`, l.attention.bq, false],
        [`${h}.attention.self.key.weight`, l.attention.wk, true], [`${h}.attention.self.key.bias`, l.attention.bk, false],
        [`${h}.attention.self.value.weight`, l.attention.wv, true], [`${h}.attention.self.value.bias`, l.attention.bv, false],
        [`${h}.attention.output.dense.weight`, l.attention.wo, true], [`${h}.attention.output.dense.bias`, l.attention.bo, false],
        [`${h}.attention.output.LayerNorm.weight`, l.attentionLn.gain, false], [`${h}.attention.output.LayerNorm.bias`, l.attentionLn.bias, false],
        [`${h}.intermediate.dense.weight`, l.ffnIn.w, true], [`${h}.intermediate.dense.bias`, l.ffnIn.b, false],
        [`${h}.output.dense.weight`, l.ffnOut.w, true], [`${h}.output.dense.bias`, l.ffnOut.b, false],
        [`${h}.output.LayerNorm.weight`, l.ffnLn.gain, false], [`${h}.output.LayerNorm.bias`, l.ffnLn.bias, false],
      );
    });
    for (const [name, t, tr] of pairs) expect(m.values(name), name).toEqual(tr ? transposed(t) : Array.from(t.data));
    expect(m.values('cls.predictions.bias')).toEqual(Array.from(params.mlmHead.bias.data));
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(cfg).toMatchObject({
      model_type: 'bert', architectures: ['BertForMaskedLM'], hidden_size: d, num_hidden_layers: 2, num_attention_heads: 2,
      intermediate_size: config.ffn, hidden_act: 'gelu_new', vocab_size: 13, type_vocab_size: 2, layer_norm_eps: config.layerNormEps,
    });
    expect(cfg.pretext).toMatchObject({ hfCompatible: true, mlm: { in: 'params', path: '' }, encoder: config, objective: { name: 'mlm' } });
  });

  it('loads a transformers-style file without pretext metadata into the MLM structure', () => {
    const src = join(makeTmpDir('pretext-ckpt-'), 'src');
    const config = tinyConfig({ layers: 1 });
    const params = randomMlmParams(config, 21);
    saveCheckpoint(src, { config: checkpointConfig({ encoder: config, objective: { name: 'mlm' } }), params });
    // rewrite the file the way transformers would: same names, no metadata, plus tied/buffer tensors
    const m = readMinimal(join(src, 'model.safetensors'));
    const tensors: TensorToWrite[] = Object.entries(m.entries).map(([name, e]) => ({ name, dtype: 'F32', shape: e.shape, data: Float32Array.from(m.values(name)) }));
    tensors.push({ name: 'cls.predictions.decoder.weight', dtype: 'F32', shape: [13, 8], data: new Float32Array(13 * 8) });
    tensors.push({ name: 'bert.embeddings.position_ids', dtype: 'I32', shape: [1, 10], data: Int32Array.from({ length: 10 }, (_, i) => i) });
    writeSafetensors(join(src, 'model.safetensors'), tensors, { format: 'pt' });
    const loaded = loadCheckpoint(src, { params: mlmModelSpec(config) });
    expectSameTree(loaded.params, params);
  });

  it('stores non-MLM parameter trees by pytree path under pretext.params', () => {
    const dir = join(makeTmpDir('pretext-ckpt-'), 'generic');
    const params = { discriminator: { w: f32(['a', 'b'], [2, 3], [1, 2, 3, 4, 5, 6]) }, heads: [f32(['x'], [1], [9]), f32(['x'], [2], [8, 7])] };
    saveCheckpoint(dir, { config: { anything: true }, params });
    const m = readMinimal(join(dir, 'model.safetensors'));
    expect(Object.keys(m.entries).sort()).toEqual(['pretext.params.discriminator.w', 'pretext.params.heads[0]', 'pretext.params.heads[1]']);
    expectSameTree(loadCheckpoint(dir).params, params);
  });

  it('names file, tensor and path on missing, unexpected, mis-shaped and mis-typed tensors', () => {
    const dir = join(makeTmpDir('pretext-ckpt-'), 'c');
    const config = tinyConfig({ layers: 1 });
    const params = randomMlmParams(config, 5);
    saveCheckpoint(dir, { config: checkpointConfig({ encoder: config, objective: { name: 'mlm' } }), params, optimizer: { m: { w: f32(['a'], [2], [1, 2]) } } });
    const modelFile = join(dir, 'model.safetensors');
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as Error & { context: Record<string, unknown> };
      }
      throw new Error('no error');
    };
    const missing = err(() => loadCheckpoint(dir, { params: mlmModelSpec(tinyConfig({ layers: 2 })) }));
    expect(missing).toBeInstanceOf(MissingTensorError);
    expect(missing.context.file).toBe(modelFile);
    expect(missing.message).toContain('"bert.encoder.layer.1.attention.self.key.bias" (encoder.layers[1].attention.bk)');
    expect(missing.message).toContain('and 11 more');
    expect(missing.context.missing).toContain('bert.encoder.layer.1.attention.output.LayerNorm.bias');
    expect(missing.context.missing).toHaveLength(16);

    const unexpected = err(() => loadCheckpoint(dir, { params: mlmModelSpec(tinyConfig({ layers: 1, typeVocabSize: 0 })) }));
    expect(unexpected).toBeInstanceOf(UnexpectedTensorError);
    expect(unexpected.context.tensor).toBe('bert.embeddings.token_type_embeddings.weight');

    const shape = err(() => loadCheckpoint(dir, { params: mlmModelSpec(tinyConfig({ layers: 1, ffn: 16 })) }));
    expect(shape).toBeInstanceOf(TensorShapeError);
    expect(shape.context.tensor).toBe('bert.encoder.layer.0.intermediate.dense.bias');
    expect(shape.message).toContain(modelFile);

    const dtype = err(() => loadCheckpoint(dir, { optimizer: { m: { w: new HostTensor(['a'], [2], 'i32', [0, 0]) } } }));
    expect(dtype).toBeInstanceOf(TensorDTypeError);
    expect(dtype.context).toMatchObject({ file: join(dir, 'optimizer.safetensors'), tensor: 'm.w' });
  });

  it('rejects a config that is not JSON before touching the target', () => {
    const dir = join(makeTmpDir('pretext-ckpt-'), 'bad');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => saveCheckpoint(dir, { config: cyclic, params: { w: f32(['a'], [1], [1]) } })).toThrow(CheckpointConfigError);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('atomicity and run directories', () => {
  const tiny = (v: number) => ({ config: { v }, params: { w: f32(['a'], [2], [v, v + 1]) }, trainer: { step: v } });

  it('a failed save leaves the previous checkpoint intact and no temporary behind', () => {
    const root = makeTmpDir('pretext-ckpt-');
    const dir = join(root, 'step-000001');
    saveCheckpoint(dir, tiny(1));
    // the failure happens after model.safetensors and config.json are written into the temporary
    expect(() => saveCheckpoint(dir, { ...tiny(2), files: { '../escape': 'x' } })).toThrow(CheckpointError);
    expect(readdirSync(root)).toEqual(['step-000001']);
    expect(loadCheckpoint(dir).trainer).toEqual({ step: 1 });
    // replacing works and leaves nothing else
    saveCheckpoint(dir, tiny(3));
    expect(readdirSync(root)).toEqual(['step-000001']);
    expect(loadCheckpoint(dir).trainer).toEqual({ step: 3 });
  });

  it('latest follows saves, ignores temporaries of crashed writers and falls back when the pointer dangles', () => {
    const run = makeTmpDir('pretext-run-');
    expect(latestCheckpoint(run)).toBeUndefined();
    saveRunCheckpoint(run, 100, tiny(100));
    saveRunCheckpoint(run, 200, tiny(200));
    expect(readFileSync(join(run, 'latest'), 'utf8').trim()).toBe(checkpointName(200));
    expect(latestCheckpoint(run)).toBe(join(run, 'step-000200'));
    // a crashed writer's half-written temporary (pid 1 is never ours; but treat it as foreign and alive: it stays, yet is never loaded)
    const crashed = join(run, 'step-000300.tmp-999999999-x-y');
    mkdirSync(crashed);
    writeFileSync(join(crashed, 'model.safetensors'), 'garbage');
    expect(latestCheckpoint(run)).toBe(join(run, 'step-000200'));
    expect(listCheckpoints(run).map((c) => c.step)).toEqual([100, 200]);
    // the next save removes temporaries of writers that are gone
    saveRunCheckpoint(run, 300, tiny(300), { keep: 2 });
    expect(readdirSync(run).sort()).toEqual(['latest', 'step-000200', 'step-000300']);
    writeFileSync(join(run, 'latest'), 'step-000999\n');
    expect(latestCheckpoint(run)).toBe(join(run, 'step-000300'));
    expect(loadCheckpoint(latestCheckpoint(run)!).trainer).toEqual({ step: 300 });
  });
});
