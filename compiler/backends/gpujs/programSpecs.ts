import type { DType } from '../../ir/dtype.ts';
import type { KernelProgram } from '../../kernel/kernel.ts';
import { concatSpec, finalizeSpec, type SlotTable } from './argPlan.ts';
import { GpujsUnsupportedError } from './errors.ts';
import type { FinalSpec, KernelSpec, Slot } from './kernelSpec.ts';
import { matmulSpecs, mapSpecs } from './mapSpecs.ts';
import { MODE_TRAITS, type GpujsMode } from './modes.ts';
import { reprFloats, reprOf } from './repr.ts';
import { rowSpecs } from './rowSpecs.ts';
import { scatterSpec } from './scatterSpec.ts';
import type { BuildContext } from './specBuilder.ts';

/** Everything the runtime needs: slots, the kernels in order, and how outputs come back. */
export interface ProgramSpecs {
  readonly mode: GpujsMode;
  readonly slots: readonly Slot[];
  readonly specs: readonly FinalSpec[];
  /** Device modes: the slot holding every output back to back (one readback), if any outputs. */
  readonly readback?: { readonly slot: number; readonly parts: readonly number[] };
}

/**
 * The gpu.js kernels of a fused program: program buffers become slots 0..n-1 (same ids), each
 * program kernel becomes one or more gpu.js kernels, and in device modes a final kernel copies
 * all outputs into one block so a run reads back once.
 */
export function programSpecs(p: KernelProgram, mode: GpujsMode, maxArgs = MODE_TRAITS[mode].maxArgs): ProgramSpecs {
  const slots: Slot[] = p.buffers.map((b) => {
    const repr = reprOf(b.dtype);
    return { id: b.id, dtype: b.dtype, repr, elements: b.size, floats: reprFloats(repr, b.size), what: `b${b.id} (${b.role} ${b.dtype}[${b.shape.join(',')}])` };
  });
  const empty = slots.find((s) => s.elements === 0);
  if (empty) throw new GpujsUnsupportedError(`buffer ${empty.what}`, mode, 'zero-size arrays (gpu.js outputs need at least one element)');
  const add = (dtype: DType, elements: number, what: string, repr = reprOf(dtype)): Slot => {
    const s: Slot = { id: slots.length, dtype, repr, elements, floats: reprFloats(repr, elements), what };
    slots.push(s);
    return s;
  };
  const table: SlotTable & BuildContext = {
    mode,
    slot: (id) => slots[id]!,
    newSlot: (dtype, elements, what) => add(dtype, elements, what),
    newFloatSlot: (floats, what) => add('f32', floats, what, 'f'),
  };

  const raw: KernelSpec[] = [];
  p.kernels.forEach((k, i) => {
    const name = `k${i}:${k.kind}`;
    switch (k.kind) {
      case 'map': raw.push(...mapSpecs(table, k, i, name)); break;
      case 'row': raw.push(...rowSpecs(table, k, i, name)); break;
      case 'matmul': raw.push(...matmulSpecs(table, k, i, name)); break;
      case 'scatter': raw.push(scatterSpec(table, k, i, name)); break;
    }
  });
  const { device } = MODE_TRAITS[mode];
  const specs: FinalSpec[] = [];
  for (const spec of raw) {
    const pre: FinalSpec[] = [];
    const fin = finalizeSpec(spec, maxArgs, table, pre);
    specs.push(...pre, fin);
  }
  const outs = [...new Set(p.outputBuffers)];
  if (!device || outs.length === 0) return { mode, slots, specs };
  if (outs.length === 1) return { mode, slots, specs, readback: { slot: outs[0]!, parts: outs } };
  const parts = outs.map((b) => slots[b]!);
  const block = add('f32', parts.reduce((n, s) => n + s.floats, 0), 'readback block', 'f');
  const pre: FinalSpec[] = [];
  const fin = finalizeSpec(concatSpec(block, parts, 'readback'), maxArgs, table, pre);
  specs.push(...pre, fin);
  return { mode, slots, specs, readback: { slot: block.id, parts: outs } };
}
