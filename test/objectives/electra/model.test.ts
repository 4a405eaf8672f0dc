import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import type { HostTensor } from '../../../dsl/host.ts';
import { encoderConfig } from '../../../models/config.ts';
import { encodeTower, generatorLogits } from '../../../models/electra.ts';
import { encode } from '../../../models/encoder.ts';
import { mlmLogits } from '../../../models/heads.ts';
import { key } from '../../../prng/key.ts';
import { ElectraConfigError, ElectraOptionError, electraModelConfig, electraObjective, initElectra } from '../../../objectives/electra/index.ts';
import { TINY_VOCAB, tinyElectraModel, tinyElectraOptions, tinyTokens } from './tinyElectra.ts';

const isHost = (x: unknown): x is HostTensor => p.isHostTensor(x);
const leaves = (tree: unknown) => {
  const f = p.flatten<HostTensor>(tree, isHost);
  return f.paths.map((path, i) => ({ path, t: f.leaves[i]! }));
};

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('ELECTRA model pair (models/electra.ts)', () => {
  it('scales the generator from the discriminator: ELECTRA-Small 256/4/1024 at 0.25 gives 64/1/256', () => {
    const discriminator = encoderConfig({ vocabSize: 30522, hidden: 256, heads: 4, ffn: 1024, layers: 12 });
    const c = electraModelConfig({ discriminator, embeddingSize: 128 });
    expect([c.generator.hidden, c.generator.heads, c.generator.ffn, c.generator.layers]).toEqual([64, 1, 256, 12]);
    expect(c.embeddingSize).toBe(128);
    expect(c.discriminatorHead).toBe('electra');
    expect(electraModelConfig({ discriminator }).embeddingSize).toBe(256);
  });

  it('bad configurations throw ElectraConfigError naming the option and value', () => {
    const discriminator = encoderConfig({ vocabSize: 20, hidden: 8, heads: 2, ffn: 16, layers: 1 });
    const cases: [() => unknown, string, unknown][] = [
      [() => electraModelConfig({ discriminator, generatorSize: 0 }), 'generatorSize', 0],
      [() => electraModelConfig({ discriminator, generatorSize: 1.5 }), 'generatorSize', 1.5],
      [() => electraModelConfig({ discriminator, embeddingSize: 0 }), 'embeddingSize', 0],
      [() => electraModelConfig({ discriminator, generator: { vocabSize: 21 } }), 'generator.vocabSize', 21],
      [() => electraModelConfig({ discriminator, generator: { heads: 3 } }), 'generator.heads', 3],
    ];
    for (const [fn, option, value] of cases) {
      const e = thrown(fn) as ElectraConfigError;
      expect(e).toBeInstanceOf(ElectraConfigError);
      expect(e.context).toMatchObject({ option, value });
      expect(e.message).toContain(option);
    }
  });

  it('bad objective options throw ElectraOptionError naming the option and value', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ temperature: -1 }, 'temperature'], [{ discWeight: Number.NaN }, 'discWeight'], [{ genWeight: -2 }, 'genWeight'],
      [{ maskProb: 1.5 }, 'maskProb'], [{ replaceProb: -0.1 }, 'replaceProb'], [{ maskIgnoreTokenIds: [99] }, 'maskIgnoreTokenIds'],
    ];
    for (const [override, option] of cases) {
      const e = thrown(() => electraObjective(tinyElectraOptions(override))) as ElectraOptionError;
      expect(e).toBeInstanceOf(ElectraOptionError);
      expect(e.context.option).toBe(option);
      expect(e.message).toContain(option);
    }
  });

  it('word, position and token-type embeddings are one tensor each, read by both towers', () => {
    const params = initElectra(tinyElectraModel(), key(1));
    const ls = leaves(params);
    const tables = ls.filter(({ t }) => t.axes.includes('vocab') && t.axes.includes('hidden'));
    expect(tables.map(({ path }) => path)).toEqual(['embeddings.word']);
    expect(ls.filter(({ t }) => t.axes.includes('position')).map(({ path }) => path)).toEqual(['embeddings.position']);
    expect(ls.filter(({ t }) => t.axes.includes('type')).map(({ path }) => path)).toEqual(['embeddings.tokenType']);
    expect(tables[0]!.t.shape).toEqual([TINY_VOCAB.size, 6]);
    // per-tower LayerNorms and projections (embeddingSize 6 differs from both widths 4 and 8)
    expect(params.generator.projection!.w.shape).toEqual([6, 4]);
    expect(params.discriminator.projection!.w.shape).toEqual([6, 8]);
    expect(params.generator.mlmHead.transform.w.shape).toEqual([4, 6]);
  });

  it('projections only where widths differ; the linear head has no dense layer; init is pure in the key', () => {
    const params = initElectra(tinyElectraModel({ embeddingSize: 8, head: 'linear' }), key(1));
    expect(params.discriminator.projection).toBeUndefined();
    expect(params.generator.projection!.w.shape).toEqual([8, 4]);
    expect(params.discriminator.head.dense).toBeUndefined();
    expect(params.discriminator.head.out.w.shape).toEqual([8]);
    const again = leaves(initElectra(tinyElectraModel({ embeddingSize: 8, head: 'linear' }), key(1)));
    const other = leaves(initElectra(tinyElectraModel({ embeddingSize: 8, head: 'linear' }), key(2)));
    leaves(params).forEach(({ path, t }, i) => expect(Array.from(again[i]!.t.data), path).toEqual(Array.from(t.data)));
    expect(Array.from(other.find(({ path }) => path === 'embeddings.word')!.t.data)).not.toEqual(Array.from(params.embeddings.word.data));
  });

  it('mlm(params) is the generator as a plain masked LM, with and without an embedding projection', () => {
    for (const model of [tinyElectraModel({ embeddingSize: 4 }), tinyElectraModel()]) {
      const objective = electraObjective(tinyElectraOptions({ model }));
      const { params } = objective.init(key(4));
      const batch = objective.prepare(tinyTokens([7, 10], 12), key(5), 0, 'eval');
      const out = p.evaluate((pp, b) => {
        const view = objective.mlm(pp);
        const viaView = mlmLogits(view.mlmHead, view.encoder.embeddings, encode(view.encoder, { inputIds: b.generatorInputIds, attentionMask: b.attentionMask }, view.config).last, view.config);
        const tower = encodeTower(pp.embeddings, pp.generator, { inputIds: b.generatorInputIds, attentionMask: b.attentionMask }, model.generator);
        return { viaView, direct: generatorLogits(pp, tower.last, model) };
      }, params, batch);
      expect(Array.from(out.viaView.data)).toEqual(Array.from(out.direct.data));
      expect(!!objective.mlm(params as never).encoder.embeddingProjection).toBe(model.embeddingSize !== model.generator.hidden);
    }
  });
});
