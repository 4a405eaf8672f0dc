import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { excessLoss, loadCheckpointMlm, mlmViewOf, viewParams } from '../../eval/index.ts';
import { checkpointConfig, saveCheckpoint } from '../../models/checkpoint/index.ts';
import { electraObjective, electraModelConfig } from '../../objectives/electra/index.ts';
import { mlmObjective } from '../../objectives/mlm.ts';
import { vocabInfo } from '../../objectives/objective.ts';
import { key } from '../../prng/key.ts';
import { makeTmpDir } from '../corpora/tmpDir.ts';
import { expectSameTree } from '../models/checkpoint/fixtures.ts';
import { tinyEncoderConfig, tinyGrammar, tinySentences, tinyVocab } from './fixtures.ts';

describe('evaluation of any objective through objective.mlm', () => {
  const grammar = tinyGrammar(6);
  const vocab = tinyVocab(grammar);
  const sentences = tinySentences(grammar, 15, 2);
  const disc = tinyEncoderConfig(vocab, { hidden: 8, heads: 2, ffn: 16 });

  it("scores ELECTRA's generator, and its checkpoint (MLM stored as a view) evaluates the same", () => {
    const model = electraModelConfig({ discriminator: disc, generatorSize: 0.5, embeddingSize: 4 });
    const objective = electraObjective({ model, vocab: vocabInfo(vocab) });
    const { params } = objective.init(key(1));
    const view = mlmViewOf(objective, params);
    expect(view.config.hidden).toBe(4);
    const direct = excessLoss(view, { grammar, vocab, sentences, seqLen: 12 });
    expect(direct.excessLoss).toBeGreaterThan(0);

    const dir = join(makeTmpDir('pretext-views-'), 'electra');
    saveCheckpoint(dir, {
      config: checkpointConfig({ encoder: view.config, objective: { name: objective.name }, mlm: { in: 'view' }, vocab: { tokens: [...vocab.tokens] } }),
      params,
      mlmView: viewParams(view),
    });
    const loaded = loadCheckpointMlm(dir);
    expectSameTree(loaded.loaded.checkpoint.params, params);
    expect(excessLoss(loaded.view, { grammar, vocab: loaded.vocab, sentences, seqLen: 12 })).toEqual(direct);
  });

  it('scores the plain MLM objective through the same path', () => {
    const objective = mlmObjective({ encoder: disc, vocab: vocabInfo(vocab), masking: { kind: 'bernoulli', prob: 0.15 }, normalizer: 'masked' });
    const { params } = objective.init(key(2));
    const r = excessLoss(mlmViewOf(objective, params), { grammar, vocab, sentences, seqLen: 12 });
    expect(r.loss).toBeGreaterThan(r.optimalLoss);
  });
});
