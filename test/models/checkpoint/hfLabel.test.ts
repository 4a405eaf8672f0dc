import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../../cli/train/resolveJob.ts';
import { checkpointConfig, saveCheckpoint } from '../../../models/checkpoint/index.ts';
import { loadHfMlmModel } from '../../../models/checkpoint/hfImport.ts';
import { encoderConfig } from '../../../models/config.ts';
import { makeTmpDir } from '../../corpora/tmpDir.ts';
import { expectSameTree, randomMlmParams, tinyConfig } from './fixtures.ts';

describe('config.json claims BertForMaskedLM only for HF BERT layouts', () => {
  it("the default `train` model (pre-LN, no token types) is labelled as pretext's, with the reasons", () => {
    const encoder = encoderConfig({ ...DEFAULT_MODEL, vocabSize: 20, maxPositions: 16 });
    const c = checkpointConfig({ encoder, objective: { name: 'mlm' } });
    expect(c.architectures).toBeUndefined();
    expect(c.model_type).toBe('pretext');
    const pretext = c.pretext as { hfCompatible: boolean; hfIncompatibility: string[] };
    expect(pretext.hfCompatible).toBe(false);
    expect(pretext.hfIncompatibility).toEqual([expect.stringMatching(/^pre-LN encoder/), expect.stringMatching(/^no token type embeddings/)]);
  });

  it('an embedding projection (ELECTRA-style generator widths) is not BERT either', () => {
    const c = checkpointConfig({ encoder: tinyConfig({ embeddingSize: 4 }), objective: { name: 'mlm' } });
    expect(c.model_type).toBe('pretext');
    expect((c.pretext as { hfIncompatibility: string[] }).hfIncompatibility).toEqual([expect.stringMatching(/embeddings 4 wide, projected to hidden 8/)]);
  });

  it('a post-LN model with token types says BertForMaskedLM, and read as a plain transformers checkpoint it is the same model', () => {
    const config = tinyConfig({ layerNorm: 'post', gelu: 'tanh' });
    const params = randomMlmParams(config, 41);
    const dir = join(makeTmpDir('pretext-label-'), 'ckpt');
    saveCheckpoint(dir, { config: checkpointConfig({ encoder: config, objective: { name: 'mlm' } }), params });
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(json).toMatchObject({ architectures: ['BertForMaskedLM'], model_type: 'bert', hidden_act: 'gelu_new' });
    // what transformers reads: the BertConfig fields and the tensors, not the pretext section
    delete json.pretext;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(json));
    const hf = loadHfMlmModel(dir);
    expect(hf.encoderConfig).toEqual(config);
    expectSameTree(hf.params, params);
  });
});
