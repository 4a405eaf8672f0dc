import fc from 'fast-check';
import type { Axes } from '../../dsl/axes.ts';
import { HostTensor } from '../../dsl/host.ts';
import { key } from '../../prng/key.ts';
import { normal, randint } from '../../prng/samplers.ts';

/** A shape of rank in [minRank, maxRank] with dims in [1, maxDim]. */
export const shapeArb = (minRank = 0, maxRank = 3, maxDim = 4) => fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: minRank, maxLength: maxRank });

export const AXIS_NAMES = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
export const axesFor = (rank: number, offset = 0): string[] => AXIS_NAMES.slice(offset, offset + rank) as unknown as string[];

/** Standard-normal f32 data (float64 storage, for gradient checks). */
export function normalHost<const A extends Axes>(seed: number, axes: A, shape: readonly number[], transform?: (v: number) => number): HostTensor<A> {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = normal(key(seed), n);
  if (transform) for (let i = 0; i < n; i++) data[i] = transform(data[i]!);
  return new HostTensor(axes, shape, 'f32', data);
}

/** i32 data uniform in [0, hi). */
export function intHost<const A extends Axes>(seed: number, axes: A, shape: readonly number[], hi: number): HostTensor<A> {
  const n = shape.reduce((a, b) => a * b, 1);
  return new HostTensor(axes, shape, 'i32', randint(key(seed), 0, hi, n));
}

export const seedArb = fc.integer({ min: 0, max: 1_000_000 });
