import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpointEncoder } from '../../../eval/checkpointEncoder.ts';
import { loadCheckpointMlm } from '../../../eval/checkpointModel.ts';
import { encoderConfig } from '../../../models/config.ts';
import { electraModelConfig, initElectra } from '../../../models/electra.ts';
import {
  CheckpointConfigError, TensorShapeError, checkpointConfig, electraCheckpointConfig, loadCheckpoint, loadElectraModel, saveCheckpoint,
} from '../../../models/checkpoint/index.ts';
import { encodeSafetensors } from '../../../models/checkpoint/safetensors.ts';
import { key } from '../../../prng/key.ts';
import { makeTmpDir } from '../../corpora/tmpDir.ts';
import { expectSameTree } from './fixtures.ts';
import { readMinimal } from './minimalReader.ts';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', 'b', 'c', 'd'];

/** A post-LN pair with token types: the layout HF can load as ElectraForPreTraining. */
function pair(overrides: { layerNorm?: 'pre' | 'post'; head?: 'electra' | 'linear'; embeddingSize?: number } = {}) {
  const discriminator = encoderConfig({ vocabSize: VOCAB.length, hidden: 8, layers: 2, heads: 2, ffn: 16, maxPositions: 12, layerNorm: overrides.layerNorm ?? 'post' });
  return electraModelConfig({ discriminator, generatorSize: 0.5, embeddingSize: overrides.embeddingSize ?? 6, discriminatorHead: overrides.head ?? 'electra' });
}

function save(dir: string, model: ReturnType<typeof pair>, seed = 1) {
  const params = initElectra(model, key(seed));
  saveCheckpoint(dir, {
    config: electraCheckpointConfig({ model, options: { maskProb: 0.15 }, objective: { name: 'electra' }, vocab: { tokens: VOCAB } }),
    params,
    trainer: { step: 3 },
  });
  return params;
}

describe('ELECTRA checkpoints: the discriminator is the model (HF ElectraForPreTraining), the generator beside it', () => {
  const root = makeTmpDir('pretext-electra-ckpt-');

  it('stores the discriminator under ElectraForPreTraining names and the generator under generator. + ElectraForMaskedLM names', () => {
    const model = pair();
    const params = save(join(root, 'a'), model);
    const file = readMinimal(join(root, 'a', 'model.safetensors'));
    const shape = (name: string) => file.entries[name]?.shape;
    expect(shape('electra.embeddings.word_embeddings.weight')).toEqual([VOCAB.length, 6]);
    expect(shape('electra.embeddings.token_type_embeddings.weight')).toEqual([2, 6]);
    expect(shape('electra.embeddings_project.weight')).toEqual([8, 6]); // torch Linear(6, 8): [out, in]
    expect(shape('electra.encoder.layer.1.attention.self.query.weight')).toEqual([8, 8]);
    expect(shape('discriminator_predictions.dense.weight')).toEqual([8, 8]);
    expect(shape('discriminator_predictions.dense_prediction.weight')).toEqual([1, 8]);
    expect(shape('discriminator_predictions.dense_prediction.bias')).toEqual([1]);
    expect(shape('generator.electra.embeddings_project.weight')).toEqual([4, 6]);
    expect(shape('generator.electra.encoder.layer.1.attention.self.query.weight')).toEqual([4, 4]);
    expect(shape('generator.generator_predictions.dense.weight')).toEqual([6, 4]);
    expect(shape('generator.generator_lm_head.bias')).toEqual([VOCAB.length]);
    expect(Object.keys(file.entries).filter((n) => !/^(electra\.|discriminator_predictions\.|generator\.)/.test(n))).toEqual([]);
    // the stored query weight is the discriminator's (transposed), not the generator's
    const wq = params.discriminator.layers[0]!.attention.wq;
    const stored = file.values('electra.encoder.layer.0.attention.self.query.weight');
    expect(stored[1 * 8 + 0]).toBe(Math.fround(wq.data[0 * 8 + 1]!));
    expect(stored[0 * 8 + 1]).toBe(Math.fround(wq.data[1 * 8 + 0]!));
    expect(file.values('discriminator_predictions.dense_prediction.weight')).toEqual(Array.from(params.discriminator.head.out.w.data, Math.fround));

    const config = loadCheckpoint(join(root, 'a')).config as Record<string, any>;
    expect(config).toMatchObject({ architectures: ['ElectraForPreTraining'], model_type: 'electra', embedding_size: 6, hidden_size: 8, num_attention_heads: 2, intermediate_size: 16 });
    expect(config.pretext).toMatchObject({ hfCompatible: true, mlm: { in: 'electra-generator' }, encoder: { hidden: 8, embeddingSize: 6 } });
    expect(config.pretext.electra.hfGenerator).toMatchObject({ architectures: ['ElectraForMaskedLM'], model_type: 'electra', embedding_size: 6, hidden_size: 4, num_attention_heads: 1 });
  });

  it('loads the pair back exactly; the downstream encoder is the discriminator, the masked LM the generator', () => {
    const model = pair();
    const params = save(join(root, 'b'), model, 7);
    expectSameTree(loadElectraModel(join(root, 'b')).params, params);
    expectSameTree(loadCheckpoint(join(root, 'b'), { params }).params, params); // what resuming does
    const enc = loadCheckpointEncoder(join(root, 'b'));
    expect(enc.network).toBe('electra discriminator');
    expect(enc.config).toMatchObject({ hidden: 8, embeddingSize: 6 });
    expectSameTree(enc.encoder.layers, params.discriminator.layers);
    expectSameTree(enc.encoder.embeddings.ln, params.discriminator.embeddingLn);
    const mlm = loadCheckpointMlm(join(root, 'b'));
    expect(mlm.view.config.hidden).toBe(4);
    expectSameTree(mlm.view.encoder.layers, params.generator.layers);
    expectSameTree(mlm.view.mlmHead, params.generator.mlmHead);
    expectSameTree(mlm.view.encoder.embeddings.word, params.embeddings.word);
  });

  it('says honestly where the architecture is not HF ELECTRA, and keeps a pre-LN final LayerNorm under pretext.params', () => {
    const model = pair({ layerNorm: 'pre', head: 'linear', embeddingSize: 8 });
    const params = save(join(root, 'c'), model);
    const config = loadCheckpoint(join(root, 'c')).config as Record<string, any>;
    expect(config.pretext.hfCompatible).toBe(false);
    // AutoModel* must refuse it rather than build a post-LN ELECTRA from the same tensors
    expect(config.model_type).toBe('pretext');
    expect(config.architectures).toBeUndefined();
    expect(config.pretext.electra.hfGenerator.model_type).toBe('pretext');
    const reasons = config.pretext.hfIncompatibility.join('\n');
    for (const why of [/pre-LN discriminator/, /pre-LN generator/, /'linear' discriminator head/]) expect(reasons).toMatch(why);
    const names = Object.keys(readMinimal(join(root, 'c', 'model.safetensors')).entries);
    expect(names).toContain('pretext.params.discriminator.finalLn.gain');
    expect(names).toContain('pretext.params.generator.finalLn.gain');
    expect(names.some((n) => n.startsWith('discriminator_predictions.dense.'))).toBe(false);
    expect(names).not.toContain('electra.embeddings_project.weight'); // embeddingSize = the discriminator's hidden size
    expect(names).toContain('generator.electra.embeddings_project.weight'); // the generator (hidden 4) still projects
    expectSameTree(loadElectraModel(join(root, 'c')).params, params);
  });

  it('refuses an ELECTRA checkpoint of the old format (generator stored as the MLM view) as a downstream encoder', () => {
    const model = pair();
    const params = initElectra(model, key(2));
    const g = { encoder: { embeddings: { ...params.embeddings, ln: params.generator.embeddingLn }, embeddingProjection: params.generator.projection!, layers: params.generator.layers }, mlmHead: params.generator.mlmHead };
    saveCheckpoint(join(root, 'old'), {
      config: checkpointConfig({ encoder: { ...model.generator, embeddingSize: 6 }, objective: { name: 'electra' }, mlm: { in: 'view' }, vocab: { tokens: VOCAB } }), params, mlmView: g,
    });
    expect(loadCheckpointMlm(join(root, 'old')).view.config.hidden).toBe(4); // its masked LM still loads
    expect(() => loadCheckpointEncoder(join(root, 'old'))).toThrow(CheckpointConfigError);
    expect(() => loadCheckpointEncoder(join(root, 'old'))).toThrow(/old format.*generator, not the discriminator/);
  });

  it('names the file and the tensor when a stored Linear(h, 1) has the wrong shape, and the field of a bad ELECTRA section', () => {
    const model = pair();
    save(join(root, 'd'), model);
    const file = readMinimal(join(root, 'd', 'model.safetensors'));
    // rewrite the file with dense_prediction.weight as [2, 4] (same bytes, wrong layout)
    const tensors = Object.entries(file.entries).map(([name, e]) => ({
      name, dtype: e.dtype as 'F32', shape: name === 'discriminator_predictions.dense_prediction.weight' ? [2, 4] : e.shape, data: Float32Array.from(file.values(name)),
    }));
    writeFileSync(join(root, 'd', 'model.safetensors'), Buffer.concat(encodeSafetensors(tensors, file.metadata)));
    expect(() => loadElectraModel(join(root, 'd'))).toThrow(TensorShapeError);
    expect(() => loadElectraModel(join(root, 'd'))).toThrow(/dense_prediction\.weight.*leading axis of size 1/);

    save(join(root, 'e'), model);
    const cfgFile = join(root, 'e', 'config.json');
    const cfg = loadCheckpoint(join(root, 'e')).config as Record<string, any>;
    cfg.pretext.electra.embeddingSize = 'wide';
    writeFileSync(cfgFile, JSON.stringify(cfg));
    expect(() => loadElectraModel(join(root, 'e'))).toThrow(CheckpointConfigError);
    expect(() => loadElectraModel(join(root, 'e'))).toThrow(/pretext\.electra\.embeddingSize: got "wide"/);
  });
});
