import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import { key } from '../../../prng/key.ts';
import { electraObjective } from '../../../objectives/electra/index.ts';
import { lossKey, tinyElectraOptions, tinyTokens } from './tinyElectra.ts';

describe('ELECTRA total loss (spec 4f 7)', () => {
  for (const [genWeight, discWeight] of [[1, 50], [0.7, 13], [0, 1], [2, 0]] as const) {
    it(`loss == ${genWeight}·mlm_loss + ${discWeight}·disc_loss exactly`, () => {
      const objective = electraObjective(tinyElectraOptions({ genWeight, discWeight }));
      const { params } = objective.init(key(3));
      for (const seed of [1, 2]) {
        const batch = objective.prepare(tinyTokens([6, 11, 3], 13, seed), key(seed), 0, 'train');
        const out = p.evaluate((pp, b, k) => objective.loss(pp, {}, b, k, 'train', 'default'), params, batch, lossKey(seed));
        const mlm = out.metrics.mlm_loss!.item();
        const disc = out.metrics.disc_loss!.item();
        expect(mlm).toBeGreaterThan(0);
        expect(disc).toBeGreaterThan(0);
        expect(out.loss.item()).toBe(genWeight * mlm + discWeight * disc);
      }
    });
  }

  it('reports the reference metrics', () => {
    const objective = electraObjective(tinyElectraOptions());
    const { params } = objective.init(key(3));
    const batch = objective.prepare(tinyTokens([6, 11], 13), key(1), 0, 'train');
    const out = p.evaluate((pp, b, k) => objective.loss(pp, {}, b, k, 'eval', 'default'), params, batch, lossKey(1));
    expect(Object.keys(out.metrics).sort()).toEqual(['disc_acc', 'disc_loss', 'gen_acc', 'mlm_loss', 'replaced_fraction', 'selected_fraction']);
    for (const v of Object.values(out.metrics)) expect(Number.isFinite(v.item())).toBe(true);
  });
});
