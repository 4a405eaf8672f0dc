import { describe, expect, it } from 'vitest';
import * as p from '../../dsl/index.ts';
import { HostTensor } from '../../dsl/host.ts';
import { foldIn, key, splitKey } from '../../prng/key.ts';
import * as host from '../../prng/samplers.ts';
import { randomBits as hostBits } from '../../prng/key.ts';

const k = p.keyInput(key(42));
type K = p.KeyTensor;

describe('in-graph randomness equals the host streams', () => {
  it('randomBits, splitKey and foldIn match prng/ bit for bit', () => {
    const out = p.evaluate((kk: K) => ({
      bits: p.randomBits(kk, ['i'] as const, [7]),
      split: p.splitKeyTensor(kk, 3),
      fold: p.foldInTensor(kk, 12345),
    }), k);
    expect(Array.from(out.bits.data)).toEqual(Array.from(hostBits(key(42), 7)));
    splitKey(key(42), 3).forEach((sk, j) => expect(Array.from(out.split[j]!.data)).toEqual(Array.from(sk)));
    expect(Array.from(out.fold.data)).toEqual(Array.from(foldIn(key(42), 12345)));
  });

  it('uniform, bernoulli, randint and normal match the host samplers', () => {
    const out = p.evaluate((kk: K) => ({
      u: p.uniform(kk, ['i'] as const, [1000]),
      b: p.bernoulli(kk, 0.3, ['i'] as const, [1000]),
      r: p.randint(kk, 5, 17, ['i'] as const, [1000]),
      z: p.normal(kk, ['i'] as const, [1000]),
    }), k);
    expect(Array.from(out.u.data)).toEqual(Array.from(host.uniform(key(42), 1000)));
    expect(Array.from(out.b.data)).toEqual(Array.from(host.bernoulli(key(42), 0.3, 1000)));
    expect(Array.from(out.r.data)).toEqual(Array.from(host.randint(key(42), 5, 17, 1000)));
    const hz = host.normal(key(42), 1000);
    out.z.data.forEach((v, i) => expect(v).toBeCloseTo(hz[i]!, 9));
  });

  it('categorical at temperature 0 is the argmax; at 1 it matches the host Gumbel-max draws', () => {
    const logits = new HostTensor(['r', 'v'], [3, 4], 'f32', [0, 1, 5, 2, 9, 1, 1, 1, 0, 0, 0, 3]);
    const out = p.evaluate((kk: K, z: p.Tensor<readonly ['r', 'v']>) => ({ hard: p.categorical(kk, z, 'v', 0), soft: p.categorical(kk, z, 'v', 1) }), k, logits);
    expect(Array.from(out.hard.data)).toEqual([2, 0, 3]);
    expect(Array.from(out.soft.data)).toEqual(Array.from(host.categorical(key(42), logits.data, 4, 1)));
  });

  it('randomSubset picks exactly min(k, #eligible) eligible positions per row, uniformly', () => {
    const rows = 400;
    const n = 6;
    const elig = new HostTensor(['r', 't'], [rows, n], 'bool', Array.from({ length: rows * n }, (_, i) => (i % n === 0 ? 0 : 1)));
    const kPerRow = new HostTensor(['r'], [rows], 'i32', Array.from({ length: rows }, (_, r) => r % 7));
    const out = p.evaluate((kk: K, e: p.Tensor<readonly ['r', 't']>, c: p.Tensor<readonly ['r']>) => p.randomSubset(kk, e, 't', c), k, elig, kPerRow);
    const counts = new Array(n).fill(0);
    for (let r = 0; r < rows; r++) {
      let picked = 0;
      for (let t = 0; t < n; t++) {
        if (out.data[r * n + t]) {
          picked++;
          counts[t]++;
          expect(t).not.toBe(0); // never an ineligible position
        }
      }
      expect(picked).toBe(Math.min(r % 7, n - 1));
    }
    const eligibleCounts = counts.slice(1);
    const m = eligibleCounts.reduce((a, b) => a + b, 0) / eligibleCounts.length;
    for (const c of eligibleCounts) expect(Math.abs(c - m)).toBeLessThan(5 * Math.sqrt(m));
  });

  it('dropout keeps about 1 - rate of the elements and rescales them', () => {
    const x = new HostTensor(['i'], [20000], 'f32', new Float32Array(20000).fill(1));
    const y = p.evaluate((kk: K, t: p.Tensor<readonly ['i']>) => p.dropout(kk, t, 0.25), k, x);
    const kept = Array.from(y.data).filter((v) => v !== 0);
    expect(Math.abs(kept.length / 20000 - 0.75)).toBeLessThan(5 * Math.sqrt(0.75 * 0.25 / 20000));
    kept.forEach((v) => expect(v).toBeCloseTo(1 / 0.75, 12));
  });
});
