// Generates the packed GEMM as one WebAssembly module (all loops in wasm, so a call from JS, or
// from a worker, is a single export call with plain numbers).
//
// Exports
//   gemm(m, n, k, a, b, c, lda, ldb, ldc, flags, batch, strideA, strideB, strideC,
//        rowStart, rowEnd, scratch, scratchBytes) -> status
//     flags: 1 transA, 2 transB, 4 accumulate. Offsets in bytes, strides in elements.
//     status: 0 ok, 1 scratch too small (nothing written).
//   scratch_bytes(m, n, k) -> bytes of scratch gemm needs (same formula as scratchLayout).
//
// Structure (Goto/BLIS): for each batch, jc (nc columns), pc (kc depth): pack op(B) into
// kc×nr column panels; for each ic (mc rows): pack op(A) into mr×kc row panels; then the
// register-blocked micro-kernel multiplies one A panel by one B panel into an mr×nr tile of C.
// Packing absorbs transposes and strides, so the micro-kernel has a single code path. Edge tiles
// use smaller micro-kernels (fewer rows / vectors) on the zero-padded panels and write C directly;
// only a last column block whose width is not a multiple of 4 goes through a scratch tile.

import {
  type Code, type Local, FuncBuilder, ModuleBuilder, I32,
  add, and, call, eq, eqz, f32Const0, f32Load, f32Store, f32Add, forRange, geS, get, i32,
  ifThen, ltS, mul, ret, select, seq, set, sub, divS, ne, gtS,
} from './emitter.ts';
import { defineMicroKernel } from './gemm-micro.ts';
import { definePack } from './gemm-pack.ts';
import type { GemmConfig } from './gemm-config.ts';
import { FLAG_ACCUMULATE, FLAG_TRANS_A, FLAG_TRANS_B } from './gemm-worker.mjs';

export { FLAG_ACCUMULATE, FLAG_TRANS_A, FLAG_TRANS_B };

export interface GemmModuleOptions extends GemmConfig {
  /** Import a shared memory (the arena) or a plain one. */
  readonly shared: boolean;
}

const MAX_PAGES = 65536;

const min = (a: Code, b: Code, f: FuncBuilder): Code => {
  const x = f.local(I32);
  const y = f.local(I32);
  return seq(set(x, a), set(y, b), select(get(x), get(y), ltS(get(x), get(y))));
};
const roundUp = (x: Code, to: number): Code => mul(divS(add(x, i32(to - 1)), i32(to)), i32(to));

export function buildGemmModule(o: GemmModuleOptions): Uint8Array<ArrayBuffer> {
  const { mr: MR, nr: NR, kc: KC, mc: MC, nc: NC, unroll: U } = o;
  if (NR % 4 !== 0) throw new Error(`gemm module: nr=${NR} must be a multiple of 4`);
  const NV = NR / 4;
  const mod = new ModuleBuilder({ shared: o.shared, maxPages: MAX_PAGES });

  // Micro-kernels for every tile shape: [rows-1][vecs-1]; edge tiles use the smaller ones.
  const micros: number[][] = [];
  for (let rows = 1; rows <= MR; rows++) {
    micros.push([]);
    for (let vecs = 1; vecs <= NV; vecs++) {
      micros[rows - 1]!.push(defineMicroKernel(mod, { rows, vecs, MR, NR, fma: o.fma, unroll: U }));
    }
  }
  const packAIdx = definePack(mod, MR);
  const packBIdx = definePack(mod, NR);

  // ---- edge(tile, cp, ldcBytes, rows, cols, accum): copy the valid part of an MR×NR tile ------
  const edge = new FuncBuilder(null, [I32, I32, I32, I32, I32, I32], []);
  const edgeIdx = mod.declare(edge);
  {
    const [tile, cp, ldc, rows, cols, accum] = edge.params as [Local, Local, Local, Local, Local, Local];
    const i = edge.local(I32);
    const j = edge.local(I32);
    const t = edge.local(I32);
    const c = edge.local(I32);
    mod.define(edgeIdx, forRange(i, i32(0), get(rows), i32(1),
      set(t, add(get(tile), mul(get(i), i32(NR * 4)))),
      set(c, add(get(cp), mul(get(i), get(ldc)))),
      forRange(j, i32(0), get(cols), i32(1),
        f32Store(add(get(c), mul(get(j), i32(4))),
          ifThen2F32(get(accum),
            f32Add(f32Load(add(get(c), mul(get(j), i32(4)))), f32Load(add(get(t), mul(get(j), i32(4))))),
            f32Load(add(get(t), mul(get(j), i32(4))))),
        ),
      ),
    ));
  }

  // ---- scratch_bytes(m, n, k) ----------------------------------------------------------------
  const scratchFn = new FuncBuilder('scratch_bytes', [I32, I32, I32], [I32]);
  const scratchIdx = mod.declare(scratchFn);
  const layout = (f: FuncBuilder, m: Code, n: Code, k: Code, out: { kb: Local; aBytes: Local; bBytes: Local }): Code => seq(
    set(out.kb, min(k, i32(KC), f)),
    ifThen(ltS(get(out.kb), i32(1)), set(out.kb, i32(1))),
    set(out.aBytes, add(roundUp(mul(roundUp(maxOne(min(m, i32(MC), f), f), MR), mul(get(out.kb), i32(4))), 64), i32(64))),
    set(out.bBytes, add(roundUp(mul(roundUp(maxOne(min(n, i32(NC), f), f), NR), mul(get(out.kb), i32(4))), 64), i32(64))),
  );
  const TILE_BYTES = Math.ceil((MR * NR * 4) / 64) * 64;
  {
    const [m, n, k] = scratchFn.params as [Local, Local, Local];
    const out = { kb: scratchFn.local(I32), aBytes: scratchFn.local(I32), bBytes: scratchFn.local(I32) };
    mod.define(scratchIdx, seq(
      layout(scratchFn, get(m), get(n), get(k), out),
      add(add(get(out.aBytes), get(out.bBytes)), i32(TILE_BYTES)),
    ));
  }

  // ---- gemm(...) -> status --------------------------------------------------------------------
  const gemm = new FuncBuilder('gemm', Array.from({ length: 18 }, () => I32), [I32]);
  const gemmIdx = mod.declare(gemm);
  {
    const [m, n, k, a, b, c, lda, ldb, ldc, flags, batch, sA, sB, sC, rowStart, rowEnd, scratch, scratchBytes] =
      gemm.params as Local[] as [Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local];
    const L = () => gemm.local(I32);
    const out = { kb: L(), aBytes: L(), bBytes: L() };
    const [transA, transB, accumF, aPack, bPack, tile, bi, a0, b0, c0, jc, nb, pc, kb, acc, ic, mb, jr, ir, cp, ap, bp, i, j, row] =
      Array.from({ length: 25 }, L) as [Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local];
    const ldaB = L(), ldbB = L(), ldcB = L();

    const zeroC = forRange(bi, i32(0), get(batch), i32(1),
      forRange(i, get(rowStart), get(rowEnd), i32(1),
        set(row, add(add(get(c), mul(get(bi), mul(get(sC), i32(4)))), mul(get(i), get(ldcB)))),
        forRange(j, i32(0), get(n), i32(1), f32Store(add(get(row), mul(get(j), i32(4))), f32Const0)),
      ),
    );

    // Dispatch on the tile shape: full tiles take the first branch. Column counts that are not a
    // multiple of 4 go through the tile buffer (vector stores would overrun C's row).
    const rows = L(), vecs = L(), cols = L();
    const callMicro = (target: Code, ld: Code, accum: Code): Code => {
      const byVecs = (r: number, v: number): Code =>
        v === 1 ? call(micros[r - 1]![0]!, get(ap), get(bp), get(kb), target, ld, accum)
          : ifThen(eq(get(vecs), i32(v)), call(micros[r - 1]![v - 1]!, get(ap), get(bp), get(kb), target, ld, accum), byVecs(r, v - 1));
      const byRows = (r: number): Code => (r === 1 ? byVecs(1, NV) : ifThen(eq(get(rows), i32(r)), byVecs(r, NV), byRows(r - 1)));
      return byRows(MR);
    };
    const tileLoop = forRange(jr, i32(0), get(nb), i32(NR),
      set(cols, min(sub(get(nb), get(jr)), i32(NR), gemm)),
      set(vecs, shrU(add(get(cols), i32(3)), 2)),
      set(bp, add(get(bPack), mul(get(jr), mul(get(kb), i32(4))))),
      forRange(ir, i32(0), get(mb), i32(MR),
        set(rows, min(sub(get(mb), get(ir)), i32(MR), gemm)),
        set(cp, add(get(c0), add(mul(add(get(ic), get(ir)), get(ldcB)), mul(add(get(jc), get(jr)), i32(4))))),
        set(ap, add(get(aPack), mul(get(ir), mul(get(kb), i32(4))))),
        ifThen(eqz(and(get(cols), i32(3))),
          callMicro(get(cp), get(ldcB), get(acc)),
          seq(
            callMicro(get(tile), i32(NR * 4), i32(0)),
            call(edgeIdx, get(tile), get(cp), get(ldcB), get(rows), get(cols), get(acc)),
          ),
        ),
      ),
    );

    mod.define(gemmIdx, seq(
      ifThen(or2(geS(get(rowStart), get(rowEnd)), eqz(get(n))), ret(i32(0))),
      layout(gemm, get(m), get(n), get(k), out),
      ifThen(ltS(get(scratchBytes), add(add(get(out.aBytes), get(out.bBytes)), i32(TILE_BYTES))), ret(i32(1))),
      set(transA, ne(and(get(flags), i32(FLAG_TRANS_A)), i32(0))),
      set(transB, ne(and(get(flags), i32(FLAG_TRANS_B)), i32(0))),
      set(accumF, ne(and(get(flags), i32(FLAG_ACCUMULATE)), i32(0))),
      set(ldaB, mul(get(lda), i32(4))),
      set(ldbB, mul(get(ldb), i32(4))),
      set(ldcB, mul(get(ldc), i32(4))),
      set(aPack, get(scratch)),
      set(bPack, add(get(scratch), get(out.aBytes))),
      set(tile, add(get(bPack), get(out.bBytes))),
      ifThen(eqz(get(k)), seq(ifThen(eqz(get(accumF)), zeroC), ret(i32(0)))),
      forRange(bi, i32(0), get(batch), i32(1),
        set(a0, add(get(a), mul(get(bi), mul(get(sA), i32(4))))),
        set(b0, add(get(b), mul(get(bi), mul(get(sB), i32(4))))),
        set(c0, add(get(c), mul(get(bi), mul(get(sC), i32(4))))),
        forRange(jc, i32(0), get(n), i32(NC),
          set(nb, min(sub(get(n), get(jc)), i32(NC), gemm)),
          forRange(pc, i32(0), get(k), i32(KC),
            set(kb, min(sub(get(k), get(pc)), i32(KC), gemm)),
            set(acc, or2(get(accumF), gtS(get(pc), i32(0)))),
            call(packBIdx,
              add(get(b0), mul(select(
                add(mul(get(jc), get(ldb)), get(pc)),
                add(mul(get(pc), get(ldb)), get(jc)),
                get(transB)), i32(4))),
              get(ldbB), eqz(get(transB)), get(nb), get(kb), get(bPack)),
            forRange(ic, get(rowStart), get(rowEnd), i32(MC),
              set(mb, min(sub(get(rowEnd), get(ic)), i32(MC), gemm)),
              call(packAIdx,
                add(get(a0), mul(select(
                  add(mul(get(pc), get(lda)), get(ic)),
                  add(mul(get(ic), get(lda)), get(pc)),
                  get(transA)), i32(4))),
                get(ldaB), get(transA), get(mb), get(kb), get(aPack)),
              tileLoop,
            ),
          ),
        ),
      ),
      i32(0),
    ));
  }
  return mod.encode();
}

const maxOne = (x: Code, f: FuncBuilder): Code => {
  const t = f.local(I32);
  return seq(set(t, x), select(get(t), i32(1), gtS(get(t), i32(0))));
};
const shrU = (a: Code, bits: number): Code => [...a, ...i32(bits), 0x76];
const or2 = (a: Code, b: Code): Code => [...a, ...b, 0x72];
/** `cond ? a : b` for f32 values where only the taken branch may be evaluated. */
const ifThen2F32 = (cond: Code, a: Code, b: Code): Code => [...cond, 0x04, 0x7d, ...a, 0x05, ...b, 0x0b];
