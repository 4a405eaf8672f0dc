import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostTensor } from '../../../dsl/host.ts';
import {
  CheckpointConfigError, CheckpointError, TensorShapeError, checkpointConfig, loadMlmModel, saveCheckpoint,
} from '../../../models/checkpoint/index.ts';
import { makeTmpDir } from '../../corpora/tmpDir.ts';
import { readMinimal } from './minimalReader.ts';
import { expectSameTree, randomMlmParams, tinyConfig } from './fixtures.ts';

describe('loadMlmModel', () => {
  const config = tinyConfig({ layers: 1 });
  const mlm = randomMlmParams(config, 7);

  it('finds the masked LM at the root, at a subtree path, or stored as a separate view', () => {
    const root = makeTmpDir('pretext-mlm-');
    saveCheckpoint(join(root, 'a'), { config: checkpointConfig({ encoder: config, objective: { name: 'mlm' } }), params: mlm });
    expectSameTree(loadMlmModel(join(root, 'a')).params, mlm);

    const nested = { student: mlm, teacherScale: new HostTensor([], [], 'f32', [2]) };
    saveCheckpoint(join(root, 'b'), { config: checkpointConfig({ encoder: config, objective: { name: 'x' }, mlm: { in: 'params', path: 'student' } }), params: nested });
    expect(Object.keys(readMinimal(join(root, 'b', 'model.safetensors')).entries)).toContain('bert.embeddings.word_embeddings.weight');
    expectSameTree(loadMlmModel(join(root, 'b')).params, mlm);

    // ELECTRA-like: the MLM is assembled from shared parts, so it is stored as a view
    const electraLike = { embeddings: mlm.encoder.embeddings, generator: { layers: mlm.encoder.layers, mlmHead: mlm.mlmHead } };
    saveCheckpoint(join(root, 'c'), { config: checkpointConfig({ encoder: config, objective: { name: 'electra' }, mlm: { in: 'view' } }), params: electraLike, mlmView: mlm });
    const names = Object.keys(readMinimal(join(root, 'c', 'model.safetensors')).entries);
    expect(names).toContain('pretext.params.generator.layers[0].attention.wq');
    expect(names).toContain('bert.encoder.layer.0.attention.self.query.weight');
    const loaded = loadMlmModel(join(root, 'c'));
    expectSameTree(loaded.params, mlm);
    expectSameTree(loaded.checkpoint.params, electraLike);
    expect(loaded.pretext.objective.name).toBe('electra');
  });

  it('reports configs without a usable pretext section and models that do not match it', () => {
    const root = makeTmpDir('pretext-mlm-');
    saveCheckpoint(join(root, 'plain'), { config: { model_type: 'bert' }, params: mlm });
    expect(() => loadMlmModel(join(root, 'plain'))).toThrow(CheckpointConfigError);
    const bad = checkpointConfig({ encoder: config, objective: { name: 'mlm' } });
    (bad.pretext as Record<string, unknown>).encoder = { ...config, hidden: 'wide' };
    saveCheckpoint(join(root, 'bad'), { config: bad, params: mlm });
    expect(() => loadMlmModel(join(root, 'bad'))).toThrow(/pretext\.encoder\.hidden: got "wide"/);
    saveCheckpoint(join(root, 'wide'), { config: checkpointConfig({ encoder: { ...config, ffn: 20 }, objective: { name: 'mlm' } }), params: mlm });
    expect(() => loadMlmModel(join(root, 'wide'))).toThrow(TensorShapeError);
    saveCheckpoint(join(root, 'none'), { config: checkpointConfig({ encoder: config, objective: { name: 'mlm' }, mlm: null }), params: mlm });
    expect(() => loadMlmModel(join(root, 'none'))).toThrow(CheckpointError);
  });
});
