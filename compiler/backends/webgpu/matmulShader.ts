import { affineKey, linearIndex, varIdx } from '../../kernel/indexExpr.ts';
import { type MatmulKernel, type MatmulOperand, loopVar } from '../../kernel/kernel.ts';
import { decomposeVars, type KernelContext } from './mapShader.ts';
import { MAX_GROUPS, type ShaderSpec, ceilDiv, indent, shaderSource } from './shaderModule.ts';
import { arenaName } from './arenas.ts';
import { type PrintEnv, WgslPrinter } from './wgslExpr.ts';

/**
 * A workgroup computes a bm x bn tile of C, stepping through k by bk: both operand tiles go
 * through workgroup memory, and each invocation accumulates a tm x tn block of C in registers
 * (rows ty + i·(bm/tm), columns tx + j·(bn/tn), so neighbouring invocations touch neighbouring
 * columns when reading tiles and writing C).
 */
export interface MatmulTile {
  readonly bm: number;
  readonly bn: number;
  readonly bk: number;
  readonly tm: number;
  readonly tn: number;
}

/** What a device compiles well: software WebGPU takes minutes over big register blocks and workgroups. */
export interface ShaderLimits {
  readonly maxAccumulators: number;
  /** Invocations per workgroup the kernels use. */
  readonly invocations: number;
}
export const GPU_LIMITS: ShaderLimits = { maxAccumulators: 64, invocations: 256 };
export const SOFTWARE_LIMITS: ShaderLimits = { maxAccumulators: 16, invocations: 64 };

const invocations = (t: MatmulTile) => (t.bm / t.tm) * (t.bn / t.tn);

/** Largest first, per workgroup size; all fit the default 16 KiB of workgroup memory. */
export const MATMUL_TILES: readonly MatmulTile[] = [
  { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8 },
  { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4 },
  { bm: 32, bn: 32, bk: 16, tm: 2, tn: 2 },
  { bm: 16, bn: 16, bk: 16, tm: 1, tn: 1 },
  // 64 invocations (software adapters)
  { bm: 32, bn: 32, bk: 16, tm: 4, tn: 4 },
  { bm: 16, bn: 16, bk: 16, tm: 2, tn: 2 },
];

/** Enough workgroups to fill a large GPU (about two per streaming multiprocessor). */
const WANT_GROUPS = 256;

/**
 * The tile for a shape, among the device's tiles: the largest that is not mostly padding and still
 * gives enough workgroups to occupy the GPU; small or skinny products get smaller tiles.
 */
export function matmulTile(m: number, n: number, batch: number, limits: ShaderLimits = GPU_LIMITS): MatmulTile {
  const tiles = MATMUL_TILES.filter((t) => invocations(t) === limits.invocations && t.tm * t.tn <= limits.maxAccumulators);
  const smallest = tiles[tiles.length - 1]!;
  const fits = (t: MatmulTile) => t === smallest || (m >= t.bm / 2 && n >= t.bn / 2);
  const groups = (t: MatmulTile) => ceilDiv(m, t.bm) * ceilDiv(n, t.bn) * batch;
  return tiles.find((t) => fits(t) && groups(t) >= WANT_GROUPS) ?? tiles.find((t) => fits(t) && groups(t) >= WANT_GROUPS / 4) ?? smallest;
}

/** Word index of op(X)[row, col] of batch `b` (i32 WGSL), for the operand's strides. */
function operandWord(x: MatmulOperand, offset: number, b: string, row: string, col: string): string {
  const rc = x.trans ? `${col} * ${x.ld} + ${row}` : `${row} * ${x.ld} + ${col}`;
  return `${offset + x.offset} + ${b} * ${x.batchStride} + ${rc}`;
}

/**
 * A (batched) matmul with its epilogue: tiles per `tile`, then every element of C goes through
 * `px_out`, which stores C (when anything reads it) and runs the epilogue's stores with the
 * accumulator in place of C's load.
 */
export function matmulShader(k: MatmulKernel, ctx: KernelContext, label: string, kernel: number, storeC: boolean, tile: MatmulTile = matmulTile(k.m, k.n, k.batch)): ShaderSpec | undefined {
  const { m, n, k: K, batch } = k;
  if (m === 0 || n === 0 || batch === 0) return undefined;
  const { bm, bn, bk, tm, tn } = tile;
  const wx = bn / tn;
  const wy = bm / tm;
  const wg = wx * wy;
  const sa = bm + 1; // padded rows: tile stores without bank conflicts
  const sb = bn + 1;

  // ---- the epilogue, per element of C ------------------------------------------------------
  const space = k.epilogue?.space ?? [batch, m, n];
  const own = affineKey(linearIndex(space.map((d, a) => varIdx(loopVar(a), d)), space));
  const env: PrintEnv = {
    ...ctx,
    varLevel: new Map(space.map((_, a) => [loopVar(a), 0] as const)),
    loadOverride: (e) => (e.buffer === k.c && affineKey(e.index) === own ? 'px_acc' : undefined),
  };
  const epi = new WgslPrinter(env, 0, 'e');
  const stores = k.epilogue?.stores ?? [];
  epi.countUses(stores.map((s) => s.expr));
  const out = epi.blocks[0]!;
  for (const s of stores) out.push(epi.store(s.buffer, s.index, epi.print(s.expr, 0), s.expr.dtype, 0));
  const outFn = [
    'fn px_out(px_b: i32, px_i: i32, px_j: i32, px_acc: f32) {',
    ...indent([
      `let px_l: i32 = px_b * ${m * n} + px_i * ${n} + px_j;`,
      ...(storeC ? [`${arenaName(ctx.place(k.c).arena)}[${ctx.place(k.c).word} + px_l] = bitcast<u32>(px_acc);`] : []),
      ...(stores.length ? decomposeVars(epi, space, 'px_l', 0) : []),
      ...epi.constants,
      ...out,
    ]),
    '}',
  ];

  // ---- tiles ---------------------------------------------------------------------------------
  const aWord = operandWord(k.a, ctx.place(k.a.buffer).word, 'px_bz', 'gi', 'gp');
  const bWord = operandWord(k.b, ctx.place(k.b.buffer).word, 'px_bz', 'gp', 'gj');
  const aArena = arenaName(ctx.place(k.a.buffer).arena);
  const bArena = arenaName(ctx.place(k.b.buffer).arena);
  // tile elements are read along the operand's contiguous direction
  const aCoords = k.a.trans ? [`let ti = l % ${bm};`, `let tp = l / ${bm};`] : [`let tp = l % ${bk};`, `let ti = l / ${bk};`];
  const bCoords = k.b.trans ? [`let tp = l % ${bk};`, `let tj = l / ${bk};`] : [`let tj = l % ${bn};`, `let tp = l / ${bn};`];
  const regs: string[] = [];
  for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) regs.push(`var c${i}_${j}: f32 = 0.0f;`);
  const inner: string[] = [];
  for (let i = 0; i < tm; i++) inner.push(`let a${i} = px_as[p * ${sa} + ty + ${i * wy}];`);
  for (let j = 0; j < tn; j++) inner.push(`let b${j} = px_bs[p * ${sb} + tx + ${j * wx}];`);
  for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) inner.push(`c${i}_${j} = fma(a${i}, b${j}, c${i}_${j});`);
  const emit: string[] = [];
  for (let i = 0; i < tm; i++) {
    for (let j = 0; j < tn; j++) {
      emit.push(`if (row0 + ${i * wy} < ${m} && col0 + ${j * wx} < ${n}) { px_out(px_bz, row0 + ${i * wy}, col0 + ${j * wx}, c${i}_${j}); }`);
    }
  }
  const gx = ceilDiv(n, bn);
  const gy = ceilDiv(m, bm);
  const body = [
    `let tx = i32(lid) % ${wx};`,
    `let ty = i32(lid) / ${wx};`,
    `for (var px_bz: i32 = i32(wid.z); px_bz < ${batch}; px_bz = px_bz + i32(nwg.z)) {`,
    `for (var px_gy: i32 = i32(wid.y); px_gy < ${gy}; px_gy = px_gy + i32(nwg.y)) {`,
    `for (var px_gx: i32 = i32(wid.x); px_gx < ${gx}; px_gx = px_gx + i32(nwg.x)) {`,
    ...indent([
      ...regs,
      `for (var k0: i32 = 0; k0 < ${K}; k0 = k0 + ${bk}) {`,
      ...indent([
        `for (var l: i32 = i32(lid); l < ${bm * bk}; l = l + ${wg}) {`,
        ...indent([...aCoords, `let gi = px_gy * ${bm} + ti;`, 'let gp = k0 + tp;', `var v = 0.0f;`, `if (gi < ${m} && gp < ${K}) { v = bitcast<f32>(${aArena}[${aWord}]); }`, `px_as[tp * ${sa} + ti] = v;`]),
        '}',
        `for (var l: i32 = i32(lid); l < ${bn * bk}; l = l + ${wg}) {`,
        ...indent([...bCoords, `let gj = px_gx * ${bn} + tj;`, 'let gp = k0 + tp;', `var v = 0.0f;`, `if (gj < ${n} && gp < ${K}) { v = bitcast<f32>(${bArena}[${bWord}]); }`, `px_bs[tp * ${sb} + tj] = v;`]),
        '}',
        'workgroupBarrier();',
        `for (var p: i32 = 0; p < ${bk}; p = p + 1) {`,
        ...indent(inner),
        '}',
        'workgroupBarrier();',
      ]),
      '}',
      `let row0 = px_gy * ${bm} + ty;`,
      `let col0 = px_gx * ${bn} + tx;`,
      ...emit,
    ]),
    '}', '}', '}',
  ];
  const decls = [`var<workgroup> px_as: array<f32, ${bk * sa}>;`, `var<workgroup> px_bs: array<f32, ${bk * sb}>;`];
  const { wgsl, usesStatus, arenas } = shaderSource({ printers: [epi], workgroupSize: wg, body, decls, functions: outFn });
  const workgroups: [number, number, number] = [Math.min(gx, MAX_GROUPS), Math.min(gy, MAX_GROUPS), Math.min(batch, MAX_GROUPS)];
  return { label, kernel, wgsl, usesStatus, arenas, workgroups, workgroupBytes: 4 * bk * (sa + sb), invocations: wg };
}
