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
  add, eq, f32Const0, f32Load, f32Store, forRange, get, i32, ifThen, load64Zero, ltS, mul, select, seq,
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

  // Lanes are runs of k values: copy lane by lane, scattering with stride W.
  const byLane = forRange(w, i32(0), i32(W), i32(1),
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
  const byStep = seq(
    set(valid, sub(get(count), get(q))),
    set(valid, select(get(valid), i32(W), ltS(get(valid), i32(W)))),
    set(s, add(get(src), mul(get(q), i32(4)))),
    set(d, get(dst)),
    ifThen(eq(get(valid), i32(W)),
      forRange(p, i32(0), get(kc), i32(1),
        copyStep(),
        set(s, add(get(s), get(ld))),
        set(d, add(get(d), i32(W * 4))),
      ),
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
    ),
  );

  mod.define(index, seq(
    set(panelStride, mul(get(kc), i32(W * 4))),
    forRange(q, i32(0), get(count), i32(W),
      ifThen(get(lanesContiguous), byStep, byLane),
      set(dst, add(get(dst), get(panelStride))),
    ),
  ));
  return index;
}
