import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import { HostTensor } from '../../../dsl/host.ts';
import { keyInput } from '../../../dsl/random.ts';
import type { MlmModelParams } from '../../../models/params.ts';
import type { MlmBatch } from '../../../objectives/mlm.ts';
import {
  DROP_IMPORTANCE, KEEP_IMPORTANCE, SctdError, type SctdExtra, initialImportance, loadImportanceFile, sctdObjective, updateImportance,
} from '../../../objectives/sctd/index.ts';
import { key } from '../../../prng/key.ts';
import { routingConfig } from './tinyRouting.ts';

const V = 12;
const VOCAB = { size: V, pad: 1, unk: 3, cls: 0, sep: 2, mask: 11 };
const pins = { keepIds: [0, 2, 11], dropIds: [1] };

describe('importance table (spec 2f 6)', () => {
  it('I_new = β·I_old + (1-β)·(mean ℓ of the id over the batch) at labelled ids, others unchanged, pins reset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1 << 20 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.integer({ min: -1, max: V - 1 }), { minLength: 6, maxLength: 6 }),
        (seed, beta, labelChoice) => {
          const importance = initialImportance(V, Float32Array.from({ length: V }, (_, i) => 5 + ((seed >> i) % 7)), pins);
          const nll = Array.from({ length: 6 }, (_, i) => ((seed * (i + 3)) % 97) / 13);
          const labels = labelChoice.map((l) => (l < 0 ? -100 : l));
          const out = p.evaluate(
            (imp: p.Tensor<['vocab']>, l: p.Tensor<['batch', 'seq']>, y: p.Tensor<['batch', 'seq']>) => updateImportance(imp, l, y, beta, pins),
            importance, new HostTensor(['batch', 'seq'], [2, 3], 'f32', Float64Array.from(nll)), new HostTensor(['batch', 'seq'], [2, 3], 'i32', labels),
          );
          for (let id = 0; id < V; id++) {
            const losses = nll.filter((_, j) => labels[j] === id);
            const old = importance.data[id]!;
            const want = pins.keepIds.includes(id)
              ? KEEP_IMPORTANCE
              : pins.dropIds.includes(id)
                ? DROP_IMPORTANCE
                : losses.length
                  ? beta * old + (1 - beta) * (losses.reduce((a, b) => a + b, 0) / losses.length)
                  : old;
            expect(out.data[id]).toBeCloseTo(want, 10);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("a training step's extra applies it to the dropped pass's NLL (one id masked twice), and specials stay pinned", () => {
    const config = routingConfig({ vocabSize: V, dropout: 0, attentionDropout: 0 });
    const objective = sctdObjective({ encoder: config, vocab: VOCAB, dropRatio: 0.3 });
    const { params, extra } = objective.init(key(2));
    const ids = [0, 5, 11, 11, 7, 6, 2];
    const batch = {
      inputIds: new HostTensor(['batch', 'seq'], [1, 7], 'i32', ids),
      attentionMask: new HostTensor(['batch', 'seq'], [1, 7], 'bool', [1, 1, 1, 1, 1, 1, 1]),
      labels: new HostTensor(['batch', 'seq'], [1, 7], 'i32', [-100, -100, 4, 4, -100, -100, -100]),
    };
    const withCls = { ...batch, labels: new HostTensor(['batch', 'seq'], [1, 7], 'i32', [0, -100, 4, -100, -100, -100, 2]) };
    const step = (b: typeof batch, variant: string) =>
      p.evaluate(
        (pr: MlmModelParams, ex: SctdExtra, bb: MlmBatch, k: p.KeyTensor) => {
          const out = objective.loss(pr, ex, bb, k, 'train', variant);
          return { importance: out.extra!.importance, mlmLoss: out.metrics.mlm_loss! };
        },
        params, extra, b, keyInput(key(4)),
      );
    for (const variant of ['drop', 'align']) {
      const out = step(batch, variant);
      for (let id = 0; id < V; id++) {
        const want = id === 4 ? 0.95 * 10 + 0.05 * out.mlmLoss.item() : extra.importance.data[id]!;
        expect(out.importance.data[id], `id ${id}`).toBeCloseTo(want, 10);
      }
      const specials = step(withCls, variant).importance;
      for (const id of [0, 1, 2, 11]) expect(specials.data[id]).toBe(KEEP_IMPORTANCE);
      expect(specials.data[4]).not.toBe(10);
    }
  });

  it('initial tables: ScTD pins <s>, pad, </s>, mask at 1e4; vanilla pins unk, cls, sep, mask at 1e4 and pad at -1e4', () => {
    const config = routingConfig({ vocabSize: V });
    const sctd = sctdObjective({ encoder: config, vocab: VOCAB }).init(key(1)).extra.importance.data;
    const vanilla = sctdObjective({ encoder: config, vocab: VOCAB, preset: 'vanilla' }).init(key(1)).extra.importance.data;
    expect(Array.from(sctd)).toEqual(Array.from({ length: V }, (_, i) => ([0, 1, 2, 11].includes(i) ? 1e4 : 10)));
    expect(Array.from(vanilla)).toEqual(Array.from({ length: V }, (_, i) => ([0, 2, 3, 11].includes(i) ? 1e4 : i === 1 ? -1e4 : 10)));
  });

  describe('init files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pretext-sctd-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const values = Array.from({ length: V }, (_, i) => i / 2);

    it('reads one value per line or a JSON array; the objective pins specials on top', () => {
      writeFileSync(join(dir, 'imp.txt'), values.join('\n') + '\n');
      writeFileSync(join(dir, 'imp.json'), JSON.stringify(values));
      expect(Array.from(loadImportanceFile(join(dir, 'imp.txt'), V))).toEqual(values);
      expect(Array.from(loadImportanceFile(join(dir, 'imp.json'), V))).toEqual(values);
      const table = sctdObjective({ encoder: routingConfig({ vocabSize: V }), vocab: VOCAB, importanceInit: loadImportanceFile(join(dir, 'imp.txt'), V) }).init(key(1)).extra.importance;
      expect(table.data[5]).toBe(2.5);
      expect(table.data[11]).toBe(1e4);
    });

    it('errors name the file and the line', () => {
      writeFileSync(join(dir, 'short.txt'), '1\n2\n');
      writeFileSync(join(dir, 'bad.txt'), values.map((v, i) => (i === 4 ? 'x' : v)).join('\n'));
      expect(() => loadImportanceFile(join(dir, 'short.txt'), V)).toThrow(/short.txt: 2 values for a vocabulary of 12/);
      expect(() => loadImportanceFile(join(dir, 'bad.txt'), V)).toThrow(/bad.txt:5: importance of id 4/);
      expect(() => loadImportanceFile(join(dir, 'missing.txt'), V)).toThrow(SctdError);
    });
  });
});
