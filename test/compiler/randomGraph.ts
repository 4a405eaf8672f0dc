import fc from 'fast-check';
import * as p from '../../dsl/index.ts';
import { HostTensor } from '../../dsl/host.ts';
import { key } from '../../prng/key.ts';
import { normal, randint } from '../../prng/samplers.ts';

type T = p.Tensor<p.Axes>;
const AXES = ['a', 'b', 'c', 'd'] as const;

/** A random program over named tensors: sizes of the axes, input layouts, and op instructions. */
export interface RandomProgram {
  readonly sizes: readonly number[];
  readonly inputAxes: readonly (readonly string[])[];
  readonly intAxes: readonly string[];
  readonly ops: readonly (readonly [number, number, number, number])[];
  readonly seed: number;
}

const axesArb = fc
  .tuple(fc.subarray([...AXES], { minLength: 1, maxLength: 3 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }))
  .map(([axes, keys]) => axes.map((a, i) => ({ a, k: keys[i]! })).sort((x, y) => x.k - y.k).map((x) => x.a));

/** Random programs; `size` draws each axis extent (2..4 by default; multiples of 4 exercise SIMD kernels). */
export const randomProgramArb = (maxOps = 10, size: fc.Arbitrary<number> = fc.integer({ min: 2, max: 4 })): fc.Arbitrary<RandomProgram> =>
  fc.record({
    sizes: fc.array(size, { minLength: 4, maxLength: 4 }),
    inputAxes: fc.array(axesArb, { minLength: 2, maxLength: 3 }),
    intAxes: axesArb,
    ops: fc.array(fc.tuple(fc.nat(13), fc.nat(), fc.nat(), fc.nat()), { minLength: 2, maxLength: maxOps }),
    seed: fc.integer({ min: 0, max: 1e6 }),
  });

/** Host inputs for a program: float tensors, an int tensor, a PRNG key. */
export function programInputs(prog: RandomProgram): { floats: HostTensor[]; ints: HostTensor; key: HostTensor } {
  const size = (a: string) => prog.sizes[AXES.indexOf(a as (typeof AXES)[number])]!;
  const floats = prog.inputAxes.map((axes, i) => {
    const shape = axes.map(size);
    return new HostTensor(axes, shape, 'f32', Float32Array.from(normal(key(prog.seed + i), shape.reduce((x, y) => x * y, 1))));
  });
  const ishape = prog.intAxes.map(size);
  const ints = new HostTensor(prog.intAxes, ishape, 'i32', randint(key(prog.seed + 99), 0, 1000, ishape.reduce((x, y) => x * y, 1)));
  return { floats, ints, key: p.keyInput(key(prog.seed + 7)) };
}

/**
 * Replays the program's instructions on a pool of tensors (starting from the inputs) and returns
 * the last two values and one earlier one. Ops keep values bounded (tanh after growth, 1 + |y| as
 * divisor, eps 1e-3 in layerNorm) and comparisons/argmax only read inputs, so float32 and float64
 * evaluation agree within tolerance.
 */
export function buildProgram(prog: RandomProgram) {
  return (floats: T[], ints: T, k: p.KeyTensor): T[] => {
    const pool: T[] = [...floats];
    const inputs = [...floats];
    const pick = (i: number) => pool[i % pool.length]!;
    const axisOf = (t: T, i: number) => t.axes[i % t.axes.length]!;
    const push = (t: T) => {
      if (t.rank <= 4) pool.push(t);
    };
    for (const [op, x, y, z] of prog.ops) {
      const a = pick(x);
      const b = pick(y);
      if (a.rank === 0 && ![0, 1, 8, 10, 11].includes(op)) continue;
      switch (op) {
        case 0: {
          const fns: ((t: T) => T)[] = [
            (t) => t.tanh(), (t) => t.sigmoid(), (t) => t.sin(), (t) => t.tanh().exp(), (t) => t.abs().add(1).log() as T,
            (t) => t.abs().add(0.1).sqrt() as T, (t) => t.neg(), (t) => t.square().tanh(), (t) => t.erf(),
            (t) => p.gelu(t, 'tanh'), (t) => p.gelu(t, 'erf'), (t) => t.cos(),
          ];
          push(fns[z % fns.length]!(a));
          break;
        }
        case 1: {
          const fns: ((u: T, v: T) => T)[] = [
            (u, v) => u.add(v), (u, v) => u.sub(v), (u, v) => u.mul(v), (u, v) => u.maximum(v), (u, v) => u.minimum(v),
            (u, v) => u.div(v.abs().add(1)) as T,
          ];
          const r = fns[z % fns.length]!(a, b);
          push(r.rank > 4 ? a : r);
          break;
        }
        case 2: {
          const axes = a.axes.filter((_, i) => ((z >> i) & 1) === 1);
          const chosen = axes.length ? axes : [a.axes[0]!];
          const fns = [(t: T) => p.sum(t, chosen), (t: T) => p.max(t, chosen), (t: T) => p.mean(t, chosen)];
          push(fns[z % 3]!(a).tanh());
          break;
        }
        case 3: {
          const shared = a.axes.filter((ax) => b.axes.includes(ax));
          if (shared.length === 0 || a === b) break;
          const r = p.dot(a, b, shared[z % shared.length]!);
          if (r.rank <= 4) push(r.tanh());
          break;
        }
        case 4: {
          const perm = [...a.axes].sort((u, v) => ((u.charCodeAt(0) * (z + 3)) % 7) - ((v.charCodeAt(0) * (z + 3)) % 7));
          push(p.transpose(a, perm));
          break;
        }
        case 5: {
          const ax = axisOf(a, z);
          const fns = [(t: T) => p.softmax(t, ax), (t: T) => p.logSoftmax(t, ax), (t: T) => p.layerNorm(t, ax, undefined, undefined, 1e-3), (t: T) => p.logSumExp(t, ax)];
          push(fns[y % 4]!(a));
          break;
        }
        case 6: {
          const ax = axisOf(a, z);
          if (ints.axes.includes(ax)) break;
          const idx = p.mod(ints, a.dim(ax)) as T;
          const r = p.gather(a, idx, ax);
          if (r.rank <= 4) push(r);
          break;
        }
        case 7: {
          const ax = axisOf(a, z);
          const n = a.dim(ax);
          const fns = [
            (t: T) => p.pad(p.slice(t, ax, 1, n), ax, 1, 0),
            (t: T) => p.concat([p.slice(t, ax, n - 1, n), p.slice(t, ax, 0, n - 1)], ax),
            (t: T) => p.slice(p.pad(t, ax, 2, 1), ax, 1, n + 1),
          ];
          push(fns[y % 3]!(a));
          break;
        }
        case 8: {
          const c = inputs[z % inputs.length]!;
          const r = p.where(c.gt(0), a, b);
          push(r.rank > 4 ? a : r);
          break;
        }
        case 9: {
          const ax = axisOf(a, z);
          push(a.add(p.cast(p.iota(a.axes, a.shape, ax), 'f32').mul(0.25)) as T);
          break;
        }
        case 10: {
          const fns = [(t: T) => p.dropout(k, t, 0.3), (t: T) => t.mul(p.uniform(k, t.axes, t.shape)) as T, (t: T) => t.add(p.normal(k, t.axes, t.shape).mul(0.1)) as T];
          push(fns[z % 3]!(a));
          break;
        }
        case 11: {
          const c = inputs[y % inputs.length]!;
          push(p.cast(p.argmax(c, axisOf(c, z)), 'f32'));
          break;
        }
        case 12: {
          if (a.rank < 2 || a.axes.includes('m')) break;
          const [u, v] = [a.axes[z % a.rank]!, a.axes[(z + 1) % a.rank]!];
          const merged = p.merge(a, [u, v], 'm');
          push(z % 2 ? merged.tanh() : p.split(merged, 'm', [u, v], [a.dim(u), a.dim(v)]));
          break;
        }
        default: {
          if (!ints.axes.every((ax) => a.axes.includes(ax)) || a.axes.includes('s')) break;
          push(p.scatterAdd(a, p.mod(ints, 3) as T, 's', 3).untyped().tanh());
        }
      }
    }
    const n = pool.length;
    return [pool[n - 1]!, pool[n - 2]!, pool[(prog.seed % n + n) % n]!];
  };
}
