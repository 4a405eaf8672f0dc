import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import { HostTensor } from '../../../dsl/host.ts';
import { loadCheckpointEncoder } from '../../../eval/checkpointEncoder.ts';
import { loadCheckpointMlm, loadCheckpointMlmModel } from '../../../eval/checkpointModel.ts';
import { type HostMlmView, viewParams } from '../../../eval/mlmView.ts';
import {
  CheckpointConfigError, CheckpointError, MissingTensorError, UnsupportedModelError, checkpointConfig, saveCheckpoint,
} from '../../../models/checkpoint/index.ts';
import type { EncoderConfig } from '../../../models/config.ts';
import { encode } from '../../../models/encoder.ts';
import { mlmLogits } from '../../../models/heads.ts';
import type { MlmModelParams } from '../../../models/params.ts';
import { makeTmpDir } from '../../corpora/tmpDir.ts';
import { expectSameTree, randomMlmParams, tinyConfig } from './fixtures.ts';
import { type HfLayout, type MlmParams, writeHfCheckpoint } from './hfFixtures.ts';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...Array.from({ length: 8 }, (_, i) => `w${i}`)];

/** MLM logits of two right-padded rows (the second 4 real tokens of 6) in eval mode. */
function logits(view: HostMlmView): number[] {
  const ids = [2, 7, 9, 5, 11, 3, 2, 6, 8, 3, 0, 0];
  const inputIds = new HostTensor(['batch', 'seq'], [2, 6], 'i32', Int32Array.from(ids));
  const mask = new HostTensor(['batch', 'seq'], [2, 6], 'bool', Uint8Array.from(ids, (_, i) => (i < 10 ? 1 : 0)));
  const out = p.evaluate((m, x, am) => {
    const mm = m as unknown as MlmModelParams;
    return mlmLogits(mm.mlmHead, mm.encoder.embeddings, encode(mm.encoder, { inputIds: x as p.Tensor<['batch', 'seq']>, attentionMask: am as p.Tensor<['batch', 'seq']> }, view.config).last, view.config);
  }, viewParams(view), inputIds, mask);
  return Array.from(out.data);
}

/** The same parameters saved in pretext's own format and loaded back. */
function pretextView(root: string, config: EncoderConfig, params: MlmParams): HostMlmView {
  const dir = join(root, 'pretext');
  saveCheckpoint(dir, { config: checkpointConfig({ encoder: config, objective: { name: 'mlm' }, vocab: { tokens: VOCAB } }), params });
  return loadCheckpointMlm(dir).view;
}

const layout = (o: Partial<HfLayout> & Pick<HfLayout, 'family'>): HfLayout => ({ prefixed: true, head: true, tiedCopies: true, positionIds: true, vocab: VOCAB, ...o });

describe('plain Hugging Face checkpoints', () => {
  it('BertForMaskedLM (bert. prefix, tied decoder copies, int64 position_ids): the config maps field by field and the logits are those of pretext\'s format', () => {
    // non-default values everywhere, so a field read from the wrong key or left at its default shows
    const config = tinyConfig({ gelu: 'tanh', dropout: 0.15, attentionDropout: 0.05, layerNormEps: 1e-7, initStd: 0.03 });
    const params = randomMlmParams(config, 31);
    const root = makeTmpDir('pretext-hf-');
    writeHfCheckpoint(join(root, 'hf'), params, config, layout({ family: 'bert' }));
    const hf = loadCheckpointMlm(join(root, 'hf'));
    expect(hf.view.config).toEqual(config);
    expect(hf.vocab.tokens).toEqual(VOCAB);
    expect(hf.loaded.pretext.objective).toEqual({ name: 'transformers', options: { architectures: ['BertForMaskedLM'], model_type: 'bert' } });
    expectSameTree(viewParams(hf.view), params);
    expect(logits(hf.view)).toEqual(logits(pretextView(root, config, params)));
  });

  it('RobertaForMaskedLM (roberta. prefix, lm_head.*, positions from padding_idx + 1, one token type): the same logits as pretext\'s format', () => {
    const config = tinyConfig({ typeVocabSize: 1, layerNormEps: 1e-5 });
    const params = randomMlmParams(config, 32);
    const root = makeTmpDir('pretext-hf-');
    writeHfCheckpoint(join(root, 'hf'), params, config, layout({ family: 'roberta' }));
    const hf = loadCheckpointMlm(join(root, 'hf'));
    // max_position_embeddings is maxPositions + 2; the two rows before position 2 are dropped
    expect(JSON.parse(readFileSync(join(root, 'hf', 'config.json'), 'utf8')).max_position_embeddings).toBe(config.maxPositions + 2);
    expect(hf.view.config).toEqual(config);
    expect(logits(hf.view)).toEqual(logits(pretextView(root, config, params)));
  });

  it('base models without prefix or head (BertModel, RobertaModel) and without tied copies or position_ids load as encoders', () => {
    for (const family of ['bert', 'roberta'] as const) {
      const config = tinyConfig({ typeVocabSize: family === 'roberta' ? 1 : 2 });
      const params = randomMlmParams(config, 33);
      const dir = join(makeTmpDir('pretext-hf-'), family);
      writeHfCheckpoint(dir, params, config, layout({ family, prefixed: false, head: false, tiedCopies: false, positionIds: false }));
      const enc = loadCheckpointEncoder(dir);
      expect(enc.config).toEqual(config);
      expect(enc.network).toBe(`transformers ${family === 'bert' ? 'Bert' : 'Roberta'}Model encoder`);
      expectSameTree(enc.encoder, params.encoder);
      expect(() => loadCheckpointMlm(dir)).toThrow(/no masked-LM head/);
    }
    // with its head but without the tied copies, the MLM loads too
    const config = tinyConfig();
    const params = randomMlmParams(config, 34);
    const dir = join(makeTmpDir('pretext-hf-'), 'untied-copies');
    writeHfCheckpoint(dir, params, config, layout({ family: 'bert', tiedCopies: false, positionIds: false }));
    expectSameTree(viewParams(loadCheckpointMlm(dir).view), params);
  });

  it('RoBERTa without vocab.txt: the model loads for id-level use; text commands get a named error about the BPE tokenizer', () => {
    const config = tinyConfig({ typeVocabSize: 1 });
    const params = randomMlmParams(config, 35);
    const dir = join(makeTmpDir('pretext-hf-'), 'bpe');
    writeHfCheckpoint(dir, params, config, { ...layout({ family: 'roberta' }), vocab: undefined });
    expectSameTree(viewParams(loadCheckpointMlmModel(dir).view), params);
    expect(() => loadCheckpointMlm(dir)).toThrow(CheckpointConfigError);
    expect(() => loadCheckpointMlm(dir)).toThrow(/no vocab\.txt \(its vocab\.json \+ merges\.txt are a byte-level BPE tokenizer/);
  });

  it('what pretext cannot compute faithfully is a named error: field and value, or the tensor', () => {
    const config = tinyConfig();
    const params = randomMlmParams(config, 36);
    const root = makeTmpDir('pretext-hf-');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ hidden_act: 'relu' }, /hidden_act "relu" is not supported/],
      [{ position_embedding_type: 'relative_key' }, /position_embedding_type "relative_key" is not supported/],
      [{ is_decoder: true }, /is_decoder true is not supported/],
      [{ model_type: 'deberta-v2' }, /model_type "deberta-v2" is not supported/],
      [{ layer_norm_eps: 'small' }, /layer_norm_eps is "small", expected a positive number/],
      [{ hidden_size: 9 }, /num_attention_heads is 2, expected a divisor of hidden_size 9/],
    ];
    cases.forEach(([configOverrides, message], i) => {
      const dir = join(root, `bad${i}`);
      writeHfCheckpoint(dir, params, config, layout({ family: 'bert', configOverrides }));
      expect(() => loadCheckpointMlm(dir), JSON.stringify(configOverrides)).toThrow(message);
      expect(() => loadCheckpointMlm(dir)).toThrow(CheckpointConfigError);
    });
    expect(() => {
      const dir = join(root, 'relu');
      writeHfCheckpoint(dir, params, config, layout({ family: 'bert', configOverrides: { hidden_act: 'relu' } }));
      loadCheckpointMlm(dir);
    }).toThrow(UnsupportedModelError);

    // a RoBERTa MLM head always applies erf GELU, whatever hidden_act says
    const roberta = tinyConfig({ typeVocabSize: 1, gelu: 'tanh' });
    const rdir = join(root, 'roberta-tanh');
    writeHfCheckpoint(rdir, randomMlmParams(roberta, 37), roberta, layout({ family: 'roberta' }));
    expect(() => loadCheckpointMlm(rdir)).toThrow(/hidden_act "gelu_new" with a RoBERTa MLM head/);

    // an untied decoder: the decoder weight is not the word embeddings
    const untied = join(root, 'untied');
    writeHfCheckpoint(untied, params, config, layout({ family: 'bert', decoderWeight: randomMlmParams(config, 38).encoder.embeddings.word }));
    expect(() => loadCheckpointMlm(untied)).toThrow(/"cls\.predictions\.decoder\.weight" differs from "bert\.embeddings\.word_embeddings\.weight": an untied decoder/);

    // a missing tensor is named as the file would name it
    const short = tinyConfig({ typeVocabSize: 1, layers: 1 });
    const sdir = join(root, 'short');
    writeHfCheckpoint(sdir, randomMlmParams(short, 39), short, layout({ family: 'roberta', configOverrides: { num_hidden_layers: 2 } }));
    expect(() => loadCheckpointMlm(sdir)).toThrow(MissingTensorError);
    expect(() => loadCheckpointMlm(sdir)).toThrow(/"roberta\.encoder\.layer\.1\.attention\.self\.query\.weight"/);
    expect(() => loadCheckpointMlm(join(root, 'nothing'))).toThrow(CheckpointError);
  });
});
