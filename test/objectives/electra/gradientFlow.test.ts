import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import type { HostTensor } from '../../../dsl/host.ts';
import { key } from '../../../prng/key.ts';
import { type ElectraParams, electraObjective } from '../../../objectives/electra/index.ts';
import { lossKey, tinyElectraModel, tinyElectraOptions, tinyTokens } from './tinyElectra.ts';

const isHost = (x: unknown): x is HostTensor => p.isHostTensor(x);
const maxAbs = (t: HostTensor) => Math.max(...Array.from(t.data, Math.abs));

/** Gradients of each loss component (float64 interpreter) by parameter path. */
function componentGradients(dropout: number) {
  const objective = electraObjective(tinyElectraOptions({ model: tinyElectraModel({ dropout }), genWeight: 1.5, discWeight: 7, maskProb: 0.3 }));
  const { params } = objective.init(key(2));
  const batch = objective.prepare(tinyTokens([9, 12, 4], 14, 5), key(6), 0, 'train');
  const out = p.evaluate((pp, b, k) => {
    const part = (name: 'mlm_loss' | 'disc_loss' | 'loss') => p.grad((q: ElectraParams) => {
      const o = objective.loss(q, {}, b, k, 'train', 'default');
      return name === 'loss' ? o.loss : o.metrics[name]!;
    })(pp);
    return { mlm: part('mlm_loss'), disc: part('disc_loss'), total: part('loss') };
  }, params, batch, lossKey(7));
  const byPath = (tree: unknown) => {
    const f = p.flatten<HostTensor>(tree, isHost);
    return new Map(f.paths.map((path, i) => [path, f.leaves[i]!]));
  };
  return { mlm: byPath(out.mlm), disc: byPath(out.disc), total: byPath(out.total) };
}

describe('ELECTRA gradient flow (spec 4f 6)', () => {
  for (const dropout of [0, 0.2]) {
    it(`dL_disc/d(generator-only params) = 0; shared embeddings get gradient from both losses (dropout ${dropout})`, () => {
      const g = componentGradients(dropout);
      const paths = [...g.disc.keys()];
      const generatorOnly = paths.filter((path) => path.startsWith('generator.'));
      const discriminatorOnly = paths.filter((path) => path.startsWith('discriminator.'));
      expect(generatorOnly.length).toBeGreaterThan(10);
      for (const path of generatorOnly) expect(maxAbs(g.disc.get(path)!), path).toBe(0);
      // the generator's loss does not reach the discriminator either
      for (const path of discriminatorOnly) expect(maxAbs(g.mlm.get(path)!), path).toBe(0);
      // ...while each loss does train its own tower
      expect(Math.max(...generatorOnly.map((path) => maxAbs(g.mlm.get(path)!)))).toBeGreaterThan(1e-6);
      expect(Math.max(...discriminatorOnly.map((path) => maxAbs(g.disc.get(path)!)))).toBeGreaterThan(1e-6);
      for (const path of ['embeddings.word', 'embeddings.position', 'embeddings.tokenType']) {
        expect(maxAbs(g.mlm.get(path)!), `${path} from L_MLM`).toBeGreaterThan(1e-8);
        expect(maxAbs(g.disc.get(path)!), `${path} from L_disc`).toBeGreaterThan(1e-8);
        // one tensor, two uses: the total gradient is the weighted sum of both
        const total = g.total.get(path)!.data;
        const mlm = g.mlm.get(path)!.data;
        const disc = g.disc.get(path)!.data;
        for (let i = 0; i < total.length; i++) expect(total[i]).toBeCloseTo(1.5 * mlm[i]! + 7 * disc[i]!, 12);
      }
    });
  }
});
