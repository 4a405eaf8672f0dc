import { SLOT_REF_PATTERN, slotRef } from './gpuExpr.ts';
import type { FinalSpec, KernelSpec, Slot } from './kernelSpec.ts';

/** Slots creation and lookup shared by the spec builders. */
export interface SlotTable {
  slot(id: number): Slot;
  /** A new temporary slot of raw floats (packed arguments, readback block). */
  newFloatSlot(floats: number, what: string): Slot;
}

/**
 * A kernel that copies `parts` one after another into `out` (device floats, whatever the parts'
 * layouts): argument packing and the single readback block.
 */
export function concatSpec(out: Slot, parts: readonly Slot[], name: string): KernelSpec {
  const body: string[] = [];
  let start = 0;
  parts.forEach((p, i) => {
    const read = `${slotRef(p.id)}[${start === 0 ? 'this.thread.x' : `(this.thread.x - ${start})`}]`;
    start += p.floats;
    body.push(i === parts.length - 1 ? `return ${read};` : `if (this.thread.x < ${start}) {\n  return ${read};\n}`);
  });
  return { name, body, out: out.id, helpers: [], kernel: -1, slots: parts.map((p) => p.id) };
}

/** Where a slot is read from: an argument slot and a float offset in it. */
interface Placement {
  readonly arg: number;
  readonly offset: number;
}

/**
 * Turns a spec into gpu.js kernel source. When it reads more arrays than the mode allows per
 * kernel, groups of them are first copied into packed temporaries (emitted into `pre`, to run
 * before it) and read at offsets there.
 */
export function finalizeSpec(spec: KernelSpec, maxArgs: number, slots: SlotTable, pre: FinalSpec[]): FinalSpec {
  const place = new Map<number, Placement>(spec.slots.map((s) => [s, { arg: s, offset: 0 }]));
  let args = [...new Set(spec.slots)];
  let packs = 0;
  while (args.length > maxArgs) {
    // pack the smallest arrays first: copies cost their size
    const bySize = [...args].sort((a, b) => slots.slot(a).floats - slots.slot(b).floats);
    const group = bySize.slice(0, Math.min(maxArgs, args.length - maxArgs + 1));
    const parts = group.map((s) => slots.slot(s));
    const packed = slots.newFloatSlot(parts.reduce((n, p) => n + p.floats, 0), `${spec.name} packed arguments ${packs}`);
    pre.push(finalizeSpec(concatSpec(packed, parts, `${spec.name}:pack${packs++}`), maxArgs, slots, pre));
    let offset = 0;
    const offsets = new Map<number, number>();
    for (const p of parts) {
      offsets.set(p.id, offset);
      offset += p.floats;
    }
    for (const [s, pl] of place) {
      const o = offsets.get(pl.arg);
      if (o !== undefined) place.set(s, { arg: packed.id, offset: o + pl.offset });
    }
    args = [...args.filter((s) => !group.includes(s)), packed.id];
  }
  const argIndex = new Map(args.map((s, i) => [s, i]));
  const params = args.map((_, i) => `a${i}`);
  const body = spec.body.join('\n').replace(SLOT_REF_PATTERN, (_, id: string) => {
    const pl = place.get(Number(id))!;
    const name = params[argIndex.get(pl.arg)!]!;
    return pl.offset === 0 ? `${name}[` : `${name}[${pl.offset} + `;
  });
  const source = `function (${params.join(', ')}) {\n${indent(body)}\n}`;
  return { name: spec.name, source, args, out: spec.out, helpers: spec.helpers, kernel: spec.kernel };
}

const indent = (s: string): string => s.split('\n').map((l) => `  ${l}`).join('\n');
