import { HostTensor } from '../../../dsl/host.ts';
import { flatten } from '../../../dsl/tree.ts';
import { type EncoderConfig, encoderConfig } from '../../../models/config.ts';
import { initEncoder, initMlmHead } from '../../../models/init.ts';
import { key } from '../../../prng/key.ts';
import { normal } from '../../../prng/samplers.ts';
import { expect } from 'vitest';

/** A tiny MLM configuration for checkpoint and evaluation tests. */
export function tinyConfig(overrides: Partial<EncoderConfig> = {}): EncoderConfig {
  return encoderConfig({ vocabSize: 13, hidden: 8, layers: 2, heads: 2, ffn: 12, maxPositions: 10, typeVocabSize: 2, ...overrides });
}

/**
 * MLM parameters with every tensor random (not the zero biases and unit gains of init), so a
 * mix-up of two tensors of the same shape cannot go unnoticed.
 */
export function randomMlmParams(config: EncoderConfig, seed: number, std = 0.5) {
  const base = { encoder: initEncoder(config, key(seed)), mlmHead: initMlmHead(config, key(seed + 1)) };
  let i = 0;
  const randomise = (t: unknown): unknown => {
    if (t instanceof HostTensor) {
      const z = normal(key(seed * 1000 + i++), t.data.length);
      return new HostTensor(t.axes, t.shape, t.dtype, Float32Array.from(z, (v) => v * std));
    }
    if (Array.isArray(t)) return t.map(randomise);
    return Object.fromEntries(Object.entries(t as object).map(([k, v]) => [k, randomise(v)]));
  };
  return randomise(base) as typeof base;
}

const isHost = (x: unknown): x is HostTensor => x instanceof HostTensor;

/** Two trees have the same paths, axes, shapes, dtypes and bit-identical data. */
export function expectSameTree(got: unknown, want: unknown): void {
  const g = flatten<HostTensor>(got, isHost);
  const w = flatten<HostTensor>(want, isHost);
  expect(g.paths).toEqual(w.paths);
  w.leaves.forEach((wl, i) => {
    const gl = g.leaves[i]!;
    const path = w.paths[i];
    expect(gl.axes, path).toEqual(wl.axes);
    expect(gl.shape, path).toEqual(wl.shape);
    expect(gl.dtype, path).toBe(wl.dtype);
    expect(Array.from(gl.data), path).toEqual(Array.from(wl.dtype === 'f32' ? Float32Array.from(wl.data) : wl.data));
  });
}
