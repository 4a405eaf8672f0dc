// Packing of one operand block into micro-panels of width W (MR for A, NR for B).
//
// Panel q covers W consecutive "lanes" (rows of op(A), or columns of op(B)); it stores kc groups
// of W floats, one group per k step, so the micro-kernel reads both panels sequentially. Lanes
// past `count` are zero, so edge tiles multiply zeros instead of needing special cases in k.
//
// The source is addressed as src + lane·laneStride + p·stepStride (bytes). One of the two strides
// is 4 (contiguous): for op(A) not transposed, lanes are rows (stride lda) and steps are contiguous;
// transposed, steps have stride lda and lanes are contiguous. op(B) is the mirror image. So the
// same generator serves both operands with the transpose flag picking the copy loop.

import {
  type Code, type Local, FuncBuilder, ModuleBuilder, I32,
  V128, add, and, block, br, brIf, divS, f32Const0, loop, f32x4Shuffle, geS, f32Load, f32Store, forRange, get, i32, ifThen, load64Zero, ltS, mul, seq,
  set, store64Lane0, sub, v128Load, v128Store,
} from './emitter.ts';

/**
 * Declares pack(src, ld, lanesContiguous, count, kc, dst): ld in bytes; lanesContiguous = 1 when
 * the W lanes of one step are adjacent in memory (and steps are ld apart), 0 when each lane is a
 * contiguous run of k values (lanes ld apart). Packs ceil(count/W) panels of kc steps.
 */
export function definePack(mod: ModuleBuilder, W: number): number {
  const f = new FuncBuilder(null, [I32, I32, I32, I32, I32, I32], []);
  const index = mod.declare(f);
  const [src, ld, lanesContiguous, count, kc, dst] = f.params as [Local, Local, Local, Local, Local, Local];
  const q = f.local(I32); // first lane of the panel
  const w = f.local(I32);
  const p = f.local(I32);
  const s = f.local(I32);
  const d = f.local(I32);
  const valid = f.local(I32);
  const panelStride = f.local(I32);

  // Lanes are runs of k values. Full panels: 4 steps at a time, 4×4 transposes (unpack shuffles,
  // single instructions on x64) turn 4 lane vectors into 4 step vectors. A group with fewer than
  // 4 lanes repeats its last lane and its junk lanes land on the next step's first lanes, which are
  // stored after it (steps outer, groups inner), or past the panel: the layout leaves 64 bytes of
  // slack after each packed block for that. Remaining steps and edge panels: the scalar loop.
  const groups = Math.ceil(W / 4);
  const lanePtr = Array.from({ length: W }, () => f.local(I32));
  const rowsV = Array.from({ length: 4 }, () => f.local(V128));
  const tV = Array.from({ length: 4 }, () => f.local(V128));
  const outV: Local[][] = Array.from({ length: groups }, () => Array.from({ length: 4 }, () => f.local(V128)));
  const p4 = f.local(I32);
  const kc4 = f.local(I32);
  const transposeGroup = (g: number): Code => {
    const lanes = Math.min(4, W - 4 * g);
    const [r0, r1, r2, r3] = rowsV as [Local, Local, Local, Local];
    const [t0, t1, t2, t3] = tV as [Local, Local, Local, Local];
    const o = outV[g]!;
    return seq(
      ...rowsV.map((r, i) => set(r, v128Load(add(get(lanePtr[4 * g + Math.min(i, lanes - 1)]!), get(p)), 0))),
      set(t0, f32x4Shuffle(get(r0), get(r1), [0, 4, 1, 5])),
      set(t1, f32x4Shuffle(get(r2), get(r3), [0, 4, 1, 5])),
      set(t2, f32x4Shuffle(get(r0), get(r1), [2, 6, 3, 7])),
      set(t3, f32x4Shuffle(get(r2), get(r3), [2, 6, 3, 7])),
      set(o[0]!, f32x4Shuffle(get(t0), get(t1), [0, 1, 4, 5])),
      set(o[1]!, f32x4Shuffle(get(t0), get(t1), [2, 3, 6, 7])),
      set(o[2]!, f32x4Shuffle(get(t2), get(t3), [0, 1, 4, 5])),
      set(o[3]!, f32x4Shuffle(get(t2), get(t3), [2, 3, 6, 7])),
    );
  };
  const byLaneVector = seq(
    ...lanePtr.map((lp, i) => set(lp, add(get(src), mul(add(get(q), i32(i)), get(ld))))),
    set(kc4, and(get(kc), i32(~3))),
    set(d, get(dst)),
    // p is the byte offset of step p4 within a lane.
    forRange(p4, i32(0), get(kc4), i32(4),
      set(p, mul(get(p4), i32(4))),
      ...Array.from({ length: groups }, (_, g) => transposeGroup(g)),
      ...Array.from({ length: 4 }, (_, j) => seq(
        ...Array.from({ length: groups }, (_, g) => v128Store(get(d), get(outV[g]![j]!), (j * W + 4 * g) * 4)),
      )),
      set(d, add(get(d), i32(16 * W))),
    ),
    forRange(p4, get(kc4), get(kc), i32(1),
      ...lanePtr.map((lp, i) => f32Store(get(d), f32Load(add(get(lp), mul(get(p4), i32(4)))), 4 * i)),
      set(d, add(get(d), i32(4 * W))),
    ),
  );
  const byLaneScalar = forRange(w, i32(0), i32(W), i32(1),
    set(d, add(get(dst), mul(get(w), i32(4)))),
    ifThen(ltS(add(get(q), get(w)), get(count)),
      seq(
        set(s, add(get(src), mul(add(get(q), get(w)), get(ld)))),
        forRange(p, i32(0), get(kc), i32(1),
          f32Store(get(d), f32Load(get(s))),
          set(s, add(get(s), i32(4))),
          set(d, add(get(d), i32(W * 4))),
        ),
      ),
      forRange(p, i32(0), get(kc), i32(1),
        f32Store(get(d), f32Const0),
        set(d, add(get(d), i32(W * 4))),
      ),
    ),
  );

  // Lanes adjacent: copy W floats per step (16/8/4-byte pieces); an edge panel copies only the
  // valid lanes, since reading past them could leave the operand's bounds.
  const copyStep = (): Code => {
    const out: Code[] = [];
    let off = 0;
    while (W * 4 - off >= 16) { out.push(v128Store(get(d), v128Load(get(s), off), off)); off += 16; }
    while (W * 4 - off >= 8) { out.push(store64Lane0(get(d), load64Zero(get(s), off), off)); off += 8; }
    while (W * 4 - off >= 4) { out.push(f32Store(get(d), f32Load(get(s), off), off)); off += 4; }
    return seq(...out);
  };
  // Full panels row by row: step p of every panel comes from one contiguous run of the source,
  // so the source is read sequentially (walking one panel down all kc steps instead would touch
  // a new cache line and page per step when ld is large, and re-fetch each line per panel).
  const nFull = f.local(I32);
  const qq = f.local(I32);
  const rowSrc = f.local(I32);
  const rowDst = f.local(I32);
  // (A 16-byte copy per panel for W = 3, overlapping the next step, measured no faster.)
  const copyPanels = (to: Code, copy: Code): Code => seq(
    block(loop(
      brIf(1, geS(get(qq), to)),
      copy,
      set(s, add(get(s), i32(W * 4))),
      set(d, add(get(d), get(panelStride))),
      set(qq, add(get(qq), i32(1))),
      br(0),
    )),
  );
  const byStepFull = forRange(p, i32(0), get(kc), i32(1),
    set(s, get(rowSrc)),
    set(d, get(rowDst)),
    set(qq, i32(0)),
    copyPanels(get(nFull), copyStep()),
    set(rowSrc, add(get(rowSrc), get(ld))),
    set(rowDst, add(get(rowDst), i32(W * 4))),
  );
  // The partial last panel (lane q onward): valid lanes copied, the rest zero.
  const byStepEdge = seq(
    set(valid, sub(get(count), get(q))),
    set(s, add(get(src), mul(get(q), i32(4)))),
    set(d, get(dst)),
    forRange(p, i32(0), get(kc), i32(1),
      forRange(w, i32(0), i32(W), i32(1),
        ifThen(ltS(get(w), get(valid)),
          f32Store(add(get(d), mul(get(w), i32(4))), f32Load(add(get(s), mul(get(w), i32(4))))),
          f32Store(add(get(d), mul(get(w), i32(4))), f32Const0),
        ),
      ),
      set(s, add(get(s), get(ld))),
      set(d, add(get(d), i32(W * 4))),
    ),
  );

  mod.define(index, seq(
    set(panelStride, mul(get(kc), i32(W * 4))),
    ifThen(get(lanesContiguous),
      seq(
        set(nFull, divS(get(count), i32(W))),
        set(rowSrc, get(src)),
        set(rowDst, get(dst)),
        byStepFull,
        set(q, mul(get(nFull), i32(W))),
        ifThen(ltS(get(q), get(count)), seq(set(dst, add(get(dst), mul(get(nFull), get(panelStride)))), byStepEdge)),
      ),
      forRange(q, i32(0), get(count), i32(W),
        ifThen(geS(sub(get(count), get(q)), i32(W)), byLaneVector, byLaneScalar),
        set(dst, add(get(dst), get(panelStride))),
      ),
    ),
  ));
  return index;
}
