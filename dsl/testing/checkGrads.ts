import { interpret } from '../../compiler/interpreter/interpret.ts';
import type { HostArray } from '../../compiler/interpreter/hostArray.ts';
import type { Node } from '../../compiler/ir/node.ts';
import * as ir from '../../compiler/ir/ops.ts';
import { vjp as vjpNodes } from '../../compiler/autodiff/vjp.ts';
import { key as makeKey, splitKey } from '../../prng/key.ts';
import { normal } from '../../prng/samplers.ts';
import { PretextError } from '../../util/errors.ts';
import type { Axes } from '../axes.ts';
import { HostTensor } from '../host.ts';
import { Tensor } from '../tensor.ts';

export class GradientCheckError extends PretextError {}

export interface CheckGradsOptions {
  /** Seed for the random tangent and cotangent. */
  readonly seed?: number;
  /** Finite-difference step. */
  readonly eps?: number;
  readonly rtol?: number;
  readonly atol?: number;
  /** Which arguments to differentiate (default: every f32 argument). */
  readonly wrt?: readonly number[];
  /** Number of random (tangent, cotangent) pairs. */
  readonly trials?: number;
}

export interface GradCheckReport {
  readonly vjpDotTangent: number;
  readonly jvpDotCotangent: number;
  readonly error: number;
}

type Fn = (...args: Tensor<Axes>[]) => Tensor<Axes>;

function inputsFor(args: readonly HostTensor[]) {
  const nodes = args.map((a, i) => ir.input(`arg${i}`, a.shape, a.dtype));
  const tensors = nodes.map((n, i) => new Tensor(n, args[i]!.axes));
  return { nodes, tensors };
}

const run = (outputs: readonly Node[], nodes: readonly Node[], values: readonly HostArray[]) =>
  interpret(outputs, new Map(nodes.map((n, i) => [n, values[i]!])));

const f64 = (a: HostArray, data: Float64Array): HostArray => ({ dtype: a.dtype, shape: a.shape, data });
const dotData = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/**
 * Checks reverse-mode gradients of fn at `args` against central finite differences, in float64 on
 * the reference interpreter: for a random tangent t and cotangent c it compares <t, vjp(c)> with
 * <J t, c> where J t = (f(x + eps t) - f(x - eps t)) / (2 eps). Throws GradientCheckError with both
 * numbers on mismatch; returns them otherwise.
 */
export function checkGrads(fn: Fn, args: readonly HostTensor[], options: CheckGradsOptions = {}): GradCheckReport[] {
  const { seed = 0, eps = 1e-6, rtol = 1e-6, atol = 1e-9, trials = 2 } = options;
  const wrt = options.wrt ?? args.map((a, i) => (a.dtype === 'f32' ? i : -1)).filter((i) => i >= 0);
  const { nodes, tensors } = inputsFor(args);
  const out = fn(...tensors);
  if (out.dtype !== 'f32') throw new GradientCheckError(`checkGrads: output must be f32, got ${out.dtype}`);
  const ctNode = ir.input('cotangent', out.shape, 'f32');
  const grads = vjpNodes([out.node], [ctNode], wrt.map((i) => nodes[i]!));
  const base: HostArray[] = args.map((a) => f64(a, a.dtype === 'f32' ? Float64Array.from(a.data) : (a.data as unknown as Float64Array)));
  const reports: GradCheckReport[] = [];
  let k = makeKey(seed);
  for (let trial = 0; trial < trials; trial++) {
    const [kt, kc, next] = splitKey(k, 3) as [typeof k, typeof k, typeof k];
    k = next;
    const tangents = wrt.map((i, j) => normal(splitKey(kt, wrt.length)[j]!, args[i]!.data.length));
    const cot = normal(kc, out.size);
    const ctValue: HostArray = { dtype: 'f32', shape: out.shape, data: cot };
    const g = run(grads, [...nodes, ctNode], [...base.map((b, i) => (args[i]!.dtype === 'f32' ? b : args[i]!)), ctValue]);
    const lhs = g.reduce((s, gi, j) => s + dotData(gi.data, tangents[j]!), 0);
    const shifted = (sign: number) =>
      base.map((b, i) => {
        const j = wrt.indexOf(i);
        if (j < 0) return args[i]!.dtype === 'f32' ? b : args[i]!;
        const d = new Float64Array(b.data.length);
        for (let e = 0; e < d.length; e++) d[e] = b.data[e]! + sign * eps * tangents[j]![e]!;
        return f64(b, d);
      });
    const [plus] = run([out.node], nodes, shifted(1));
    const [minus] = run([out.node], nodes, shifted(-1));
    let rhs = 0;
    for (let e = 0; e < out.size; e++) rhs += ((plus!.data[e]! - minus!.data[e]!) / (2 * eps)) * cot[e]!;
    const error = Math.abs(lhs - rhs);
    reports.push({ vjpDotTangent: lhs, jvpDotCotangent: rhs, error });
    if (!(error <= atol + rtol * Math.max(Math.abs(lhs), Math.abs(rhs))) ) {
      throw new GradientCheckError(
        `checkGrads: <t, vjp(c)> = ${lhs} but <J t, c> = ${rhs} (finite differences, eps ${eps}); |diff| = ${error.toExponential(3)}`,
        { lhs, rhs, error, trial },
      );
    }
  }
  return reports;
}

/**
 * Checks a Hessian-vector product (reverse over reverse: grad of <grad f, v>) of a scalar fn against
 * finite differences of its gradient, (grad f(x + eps v) - grad f(x - eps v)) / (2 eps), for a random v.
 */
export function checkHvp(fn: Fn, args: readonly HostTensor[], options: Omit<CheckGradsOptions, 'trials'> = {}): { maxError: number; scale: number } {
  const { seed = 1, eps = 1e-5, rtol = 1e-5, atol = 1e-8 } = options;
  const wrt = options.wrt ?? args.map((a, i) => (a.dtype === 'f32' ? i : -1)).filter((i) => i >= 0);
  const { nodes, tensors } = inputsFor(args);
  const out = fn(...tensors);
  if (out.rank !== 0) throw new GradientCheckError('checkHvp: fn must return a scalar');
  const wrtNodes = wrt.map((i) => nodes[i]!);
  const g = vjpNodes([out.node], [ir.constant(1, [], 'f32')], wrtNodes);
  const vNodes = wrt.map((i) => ir.input(`v${i}`, args[i]!.shape, 'f32'));
  let gv: Node = ir.constant(0, [], 'f32');
  g.forEach((gi, j) => {
    gv = ir.add(gv, ir.reduceSum(ir.mul(gi, vNodes[j]!), gi.shape.map((_, a) => a)));
  });
  const hvp = vjpNodes([gv], [ir.constant(1, [], 'f32')], wrtNodes);
  const base = args.map((a) => (a.dtype === 'f32' ? f64(a, Float64Array.from(a.data)) : a));
  const vs = wrt.map((i, j) => normal(splitKey(makeKey(seed), wrt.length)[j]!, args[i]!.data.length));
  const vValues: HostArray[] = wrt.map((i, j) => ({ dtype: 'f32', shape: args[i]!.shape, data: vs[j]! }));
  const h = run(hvp, [...nodes, ...vNodes], [...base, ...vValues]);
  const gradAt = (sign: number) =>
    run(g, nodes, base.map((b, i) => {
      const j = wrt.indexOf(i);
      if (j < 0) return b;
      const d = new Float64Array(b.data.length);
      for (let e = 0; e < d.length; e++) d[e] = b.data[e]! + sign * eps * vs[j]![e]!;
      return f64(b, d);
    }));
  const gp = gradAt(1);
  const gm = gradAt(-1);
  let maxError = 0;
  let scale = 0;
  h.forEach((hj, j) => {
    for (let e = 0; e < hj.data.length; e++) {
      const fd = (gp[j]!.data[e]! - gm[j]!.data[e]!) / (2 * eps);
      maxError = Math.max(maxError, Math.abs(fd - hj.data[e]!));
      scale = Math.max(scale, Math.abs(fd), Math.abs(hj.data[e]!));
    }
  });
  if (!(maxError <= atol + rtol * scale)) {
    throw new GradientCheckError(`checkHvp: Hessian-vector product differs from finite differences of the gradient by ${maxError.toExponential(3)} (scale ${scale.toExponential(3)})`, {
      maxError, scale,
    });
  }
  return { maxError, scale };
}

/** A float64 host tensor of standard normals (for gradient checks). */
export function randomHost<const A extends Axes>(seed: number, axes: A, shape: readonly number[]): HostTensor<A> {
  const n = shape.reduce((a, b) => a * b, 1);
  return new HostTensor(axes, shape, 'f32', normal(makeKey(seed), n));
}
