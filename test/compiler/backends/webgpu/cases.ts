/**
 * Checks of the webgpu backend against the reference interpreter, shared by the Node child
 * process (Dawn) and the headless-Chromium page. No vitest and no Node built-ins here: each check
 * returns failure messages (empty when everything agrees).
 */
import fc from 'fast-check';
import { buildWebgpu } from '../../../../compiler/backends/webgpu/build.ts';
import { MATMUL_TILES, type MatmulTile } from '../../../../compiler/backends/webgpu/matmulShader.ts';
import type { ShaderOptions } from '../../../../compiler/backends/webgpu/programShaders.ts';
import type { RowLayout } from '../../../../compiler/backends/webgpu/rowShader.ts';
import { compile } from '../../../../compiler/compile.ts';
import { fuseGraph } from '../../../../compiler/fusion/fuse.ts';
import * as p from '../../../../dsl/index.ts';
import { HostTensor } from '../../../../dsl/host.ts';
import { assembleOutputs, flattenArgs, trace } from '../../../../dsl/trace.ts';
import { flatten } from '../../../../dsl/tree.ts';
import { key } from '../../../../prng/key.ts';
import { normal, randint } from '../../../../prng/samplers.ts';
import { compareCase, integerCase, randomCase, reference } from '../gpujs/cases.ts';
import { randomProgramArb } from '../../randomGraph.ts';

type T = p.Tensor<p.Axes>;
export interface Case {
  readonly fn: (...a: never[]) => unknown;
  readonly args: unknown[];
}

const leaves = (tree: unknown): HostTensor[] => flatten<HostTensor>(tree, (x) => x instanceof HostTensor).leaves;

/** A case on the webgpu backend through compile() (memory plan checked by poisoning freed buffers). */
export async function runWebgpu(c: Case): Promise<HostTensor[]> {
  const compiled = compile(c.fn as (...a: unknown[]) => unknown, c.args, { backend: 'webgpu', poisonFreedBuffers: true });
  return leaves(await compiled.runAsync(...c.args));
}

/** A case built directly with shader options (a forced matmul tile or row layout). */
export async function runWebgpuWith(c: Case, options: ShaderOptions): Promise<HostTensor[]> {
  const traced = trace(c.fn, c.args);
  const exe = buildWebgpu(fuseGraph(traced.inputs, traced.outputs), 0, options);
  return leaves(assembleOutputs(traced, await exe.runAsync!(flattenArgs(traced, c.args))));
}

const tensor = (axes: readonly string[], shape: readonly number[], seed: number): HostTensor =>
  new HostTensor(axes, shape, 'f32', Float32Array.from(normal(key(seed), shape.reduce((a, b) => a * b, 1))));

/** Random programs over larger axes (2..24), so row kernels reduce with many lanes. */
export const largeRandomPrograms = (n: number, seed: number) => fc.sample(randomProgramArb(8, fc.integer({ min: 2, max: 24 })), { numRuns: n, seed });

/** Random graphs (forward and value-and-grad) and integer/random-bit semantics. */
export async function agreementFailures(programs: { forward: readonly unknown[]; grad: readonly unknown[] }): Promise<{ failures: string[]; checked: number }> {
  const failures: string[] = [];
  let checked = 0;
  const ints = integerCase();
  failures.push(...compareCase(await runWebgpu(ints), reference(ints), 'integers'));
  for (const kind of ['forward', 'grad'] as const) {
    for (const [j, prog] of programs[kind].entries()) {
      const c = randomCase(prog as never, kind);
      try {
        failures.push(...compareCase(await runWebgpu(c), reference(c), `${kind} program ${j}`, kind));
      } catch (e) {
        failures.push(`${kind} program ${j}: ${(e as Error).name}: ${(e as Error).message.slice(0, 2000)}`);
      }
      checked++;
    }
  }
  return { failures, checked };
}

/**
 * Tiles to test: the shipped ones a software adapter compiles (SwiftShader takes minutes over 32 or
 * more accumulators; the 8x8 block is the same generator with other constants) and a
 * non-square one.
 */
const TEST_TILES: readonly MatmulTile[] = [
  ...MATMUL_TILES.filter((t) => t.tm * t.tn <= 16),
  { bm: 64, bn: 32, bk: 8, tm: 4, tn: 2 },
];

/** Matmuls (plain, transposed operands, batched, with a bias + GELU epilogue) in every tile. */
export async function matmulTileFailures(): Promise<{ failures: string[]; checked: number }> {
  const failures: string[] = [];
  let checked = 0;
  const [m, n, k, h] = [37, 29, 19, 2];
  const a = tensor(['h', 'm', 'k'], [h, m, k], 1);
  const aT = tensor(['h', 'k', 'm'], [h, k, m], 2);
  const b = tensor(['k', 'n'], [k, n], 3);
  const bT = tensor(['h', 'n', 'k'], [h, n, k], 4);
  const bias = tensor(['n'], [n], 5);
  const cases: [string, Case][] = [
    ['A B + bias, gelu', { fn: ((x: T, w: T, c: T) => p.gelu(p.dot(x, w, 'k').add(c) as T, 'tanh')) as never, args: [a, b, bias] }],
    ['A^T B^T (batched)', { fn: ((x: T, w: T) => p.dot(x, w, 'k')) as never, args: [aT, bT] }],
    ['A B^T (batched) and its square', { fn: ((x: T, w: T) => { const y = p.dot(x, w, 'k'); return [y, y.mul(y)]; }) as never, args: [a, bT] }],
  ];
  // software WebGPU compiles big shaders slowly: every tile runs the epilogue case, two tiles all of them
  for (const [t, tile] of TEST_TILES.entries()) {
    for (const [what, c] of t % 2 === 1 ? cases : cases.slice(0, 1)) {
      const got = await runWebgpuWith(c, { matmulTile: () => tile });
      failures.push(...compareCase(got, reference(c), `${what}, tile ${tile.bm}x${tile.bn}x${tile.bk}/${tile.tm}x${tile.tn}`));
      checked++;
    }
  }
  return { failures, checked };
}

/** Row kernels (softmax, LayerNorm, logsumexp, argmax with ties, max, column sums) in several lane layouts. */
export async function rowLayoutFailures(): Promise<{ failures: string[]; checked: number }> {
  const failures: string[] = [];
  let checked = 0;
  const x = tensor(['r', 'c'], [6, 77], 11);
  // ties: every value appears twice in a row, so argmax must return the first position
  const tied = new HostTensor(['r', 'c'], [5, 40], 'f32', Float32Array.from({ length: 200 }, (_, i) => Math.round(5 * Math.sin(Math.floor(i / 2) * 1.7))));
  const tall = tensor(['r', 'c'], [300, 5], 12);
  const ids = new HostTensor(['r'], [6], 'i32', Int32Array.from([3, 0, 76, 41, 41, 9]));
  const cases: [string, Case][] = [
    ['softmax, layerNorm, logSumExp, cross-entropy', {
      fn: ((v: T, i: T) => [p.softmax(v, 'c'), p.layerNorm(v, 'c', undefined, undefined, 1e-5), p.logSumExp(v, 'c'), p.crossEntropy(v, i, 'c')]) as never,
      args: [x, ids],
    }],
    ['argmax with ties, max', { fn: ((v: T) => [p.argmax(v, 'c'), p.max(v, ['c'])]) as never, args: [tied] }],
    ['column sums and max over the leading axis', { fn: ((v: T) => [p.sum(v, ['r']), p.max(v, ['r']), p.sum(v.mul(v) as T, ['r'])]) as never, args: [tall] }],
  ];
  const layouts: RowLayout[] = [{ rows: 64, lanes: 1 }, { rows: 4, lanes: 64 }, { rows: 16, lanes: 16 }, { rows: 1, lanes: 256 }];
  for (const layout of layouts) {
    // 256 lanes (slow to compile on software WebGPU) on the first case only
    for (const [what, c] of layout.lanes === 256 ? cases.slice(0, 1) : cases) {
      const got = await runWebgpuWith(c, { rowLayout: () => layout });
      failures.push(...compareCase(got, reference(c), `${what}, ${layout.rows} rows x ${layout.lanes} lanes`));
      checked++;
    }
  }
  return { failures, checked };
}

/** Scatter-adds with colliding indices (an embedding gradient) and gathers, against the interpreter. */
export async function scatterFailures(): Promise<{ failures: string[]; checked: number }> {
  const [B, Tn, V, d] = [3, 5, 7, 4];
  const ids = new HostTensor(['b', 't'], [B, Tn], 'i32', randint(key(21), 0, V, B * Tn));
  const upd = tensor(['b', 't', 'd'], [B, Tn, d], 22);
  const table = tensor(['v', 'd'], [V, d], 23);
  const c: Case = {
    fn: ((u: T, i: T, w: T) => [p.scatterAdd(u, i, 'v', V), p.valueAndGrad((tw: T) => p.sumAll(p.gather(tw, i, 'v').mul(u).tanh()))(w)]) as never,
    args: [upd, ids, table],
  };
  return { failures: compareCase(await runWebgpu(c), reference(c), 'scatterAdd and gather gradient'), checked: 1 };
}
