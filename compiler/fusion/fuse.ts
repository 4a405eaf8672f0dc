import type { Node } from '../ir/node.ts';
import { sizeOf } from '../ir/node.ts';
import type { PrimParams } from '../ir/primitives.ts';
import { topoOrder } from '../interpreter/interpret.ts';
import type { Expr } from '../kernel/expr.ts';
import { ExprBuilder } from '../kernel/exprBuilder.ts';
import { type Affine, affineKey, linearIndex, valueIdx, varIdx } from '../kernel/indexExpr.ts';
import type {
  BufferInfo, BufferRole, Kernel, KernelProgram, MapKernel, MatmulKernel, MatmulOperand, RowStage, ScatterKernel, Store,
} from '../kernel/kernel.ts';
import { loopVar } from '../kernel/kernel.ts';
import { Emitter, type EmitContext } from './emitter.ts';
import { CompileError } from './errors.ts';
import { lowerForExecution } from './lower.ts';
import { chooseMaterialised, isReduction, isSource, usersOf } from './materialize.ts';
import { collapseStrides, stridedView } from './stridedView.ts';

type GroupKind = 'map' | 'row' | 'matmul' | 'scatter';

/** A set of materialised nodes computed by one kernel. */
interface Group {
  readonly id: number;
  readonly kind: GroupKind;
  /** map/matmul: the output space; row: the reduced input's shape. */
  readonly space: readonly number[];
  readonly reduced: readonly number[];
  readonly nodes: Node[];
  /** Groups this one reads from. */
  readonly deps: Set<Group>;
  /** Every load this group's expressions make of another materialised node. */
  readonly loads: { node: Node; key: string }[];
}

const vars = (shape: readonly number[]): Affine[] => shape.map((d, i) => varIdx(loopVar(i), d));
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const keptAxes = (g: Group) => g.space.map((_, i) => i).filter((i) => !g.reduced.includes(i));
const keptShape = (g: Group) => keptAxes(g).map((i) => g.space[i]!);
/** Linear-index key of reading a node laid out over `shape` at `coords`. */
const linearKey = (coords: readonly Affine[], shape: readonly number[]) => affineKey(linearIndex(coords, shape));

export interface FuseResult extends KernelProgram {
  /** Lowered outputs (what the kernels compute). */
  readonly outputs: readonly Node[];
}

/**
 * Turns a graph into a fused kernel program: chooses what to materialise, groups materialised
 * nodes into kernels (elementwise chains; a reduction's row with its consumers; a matmul with its
 * epilogue; scatters), orders the kernels, and builds each kernel's expressions.
 */
export function fuseGraph(inputs: readonly Node[], rawOutputs: readonly Node[]): FuseResult {
  const outputs = lowerForExecution(rawOutputs);
  const order = topoOrder(outputs);
  const users = usersOf(order);
  const materialised = chooseMaterialised(order, outputs, users);
  const outputSet = new Set(outputs);

  // ---- grouping -------------------------------------------------------------------------------
  const groups: Group[] = [];
  const groupOf = new Map<Node, Group>();
  const builder = new ExprBuilder();

  /** Dry-run emission of n over its own shape: which materialised nodes it reads, and where. */
  const loadsOf = (n: Node, root: Node, coords: readonly Affine[]): { node: Node; key: string }[] => {
    const loads: { node: Node; key: string }[] = [];
    const ctx: EmitContext = {
      local: () => undefined,
      bufferOf: (x) => (x !== root && materialised.has(x) ? 0 : undefined),
      onLoad: (x, c) => loads.push({ node: x, key: linearKey(c, x.shape) }),
    };
    const em = new Emitter(builder, ctx);
    em.emit(n, coords);
    return loads;
  };
  const rootExprInput = (n: Node): Node => (isReduction(n) ? n.inputs[0]! : n);
  const nodeLoads = (n: Node): { node: Node; key: string }[] => {
    if (n.op === 'dot') return n.inputs.map((x) => ({ node: stridedView(x, (y) => materialised.has(y))!.base, key: 'dot' }));
    if (n.op === 'scatterAdd') {
      const [u, i] = n.inputs as [Node, Node];
      return [...loadsOf(u, n, vars(u.shape)), ...loadsOf(i, n, vars(i.shape))];
    }
    const x = rootExprInput(n);
    return loadsOf(x, n, vars(x.shape));
  };

  const reaches = (from: Group, to: Group): boolean => {
    const seen = new Set<Group>();
    const stack = [from];
    while (stack.length) {
      const g = stack.pop()!;
      if (g === to) return true;
      if (seen.has(g)) continue;
      seen.add(g);
      for (const d of g.deps) stack.push(d);
    }
    return false;
  };
  const depGroups = (loads: readonly { node: Node }[]): Set<Group> =>
    new Set(loads.map((l) => groupOf.get(l.node)).filter((g): g is Group => g !== undefined));
  /** Adding a node that reads `deps` to g keeps the group graph acyclic. */
  const acyclicWith = (g: Group, deps: Set<Group>) => [...deps].every((h) => h === g || !reaches(h, g));

  /** Can node n (with these loads) join group g? Reads of g's nodes must be at g's own element. */
  function canJoin(n: Node, loads: readonly { node: Node; key: string }[], g: Group): boolean {
    const own = loads.filter((l) => groupOf.get(l.node) === g);
    if (g.kind === 'map' || g.kind === 'matmul') {
      if (!sameShape(n.shape, g.space) || isReduction(n) || n.op === 'dot' || n.op === 'scatterAdd') return false;
      const id = linearKey(vars(g.space), g.space);
      return own.every((l) => sameShape(l.node.shape, g.space) && l.key === id);
    }
    if (g.kind === 'row') {
      const keptId = linearKey(keptAxes(g).map((a) => varIdx(loopVar(a), g.space[a]!)), keptShape(g));
      const fullId = linearKey(vars(g.space), g.space);
      const okLoad = (l: { node: Node; key: string }) =>
        sameShape(l.node.shape, g.space) ? l.key === fullId : sameShape(l.node.shape, keptShape(g)) && l.key === keptId;
      if (isReduction(n)) {
        const x = n.inputs[0]!;
        const axes = n.op === 'argmax' ? [(n.params as PrimParams['argmax']).axis] : (n.params as PrimParams['reduceSum']).axes;
        // join only a row that reads the same data (or whose values this one needs): unrelated
        // reductions in one pass share nothing and just crowd the loop
        const groupReads = new Set(g.loads.map((l) => l.node));
        const related = own.length > 0 || loads.some((l) => groupReads.has(l.node));
        return related && sameShape(x.shape, g.space) && axes.length === g.reduced.length && axes.every((a, i) => a === g.reduced[i]) && own.every(okLoad);
      }
      if (n.op === 'dot' || n.op === 'scatterAdd') return false;
      // innerMap over the full row space, or rowMap over the kept shape (read at the row's own index)
      if (sameShape(n.shape, g.space)) return own.every(okLoad);
      if (sameShape(n.shape, keptShape(g))) return own.every((l) => sameShape(l.node.shape, keptShape(g)) && l.key === keptId);
      return false;
    }
    return false;
  }

  function newGroup(n: Node): Group {
    let kind: GroupKind = 'map';
    let space = n.shape;
    let reduced: readonly number[] = [];
    if (n.op === 'dot') kind = 'matmul';
    else if (n.op === 'scatterAdd') {
      kind = 'scatter';
      space = n.inputs[0]!.shape;
    } else if (isReduction(n)) {
      kind = 'row';
      space = n.inputs[0]!.shape;
      reduced = n.op === 'argmax' ? [(n.params as PrimParams['argmax']).axis] : (n.params as PrimParams['reduceSum']).axes;
    }
    const g: Group = { id: groups.length, kind, space, reduced, nodes: [], deps: new Set(), loads: [] };
    groups.push(g);
    return g;
  }

  for (const n of order) {
    if (!materialised.has(n) || isSource(n)) continue;
    const loads = nodeLoads(n);
    const deps = depGroups(loads);
    // Candidates: groups n reads from (producer fusion), then row groups with the same reduction.
    const candidates = [...deps].filter((g) => g.kind !== 'scatter');
    if (isReduction(n)) {
      for (const g of groups) if (g.kind === 'row' && !candidates.includes(g)) candidates.push(g);
    }
    candidates.sort((a, b) => b.id - a.id);
    let target = n.op === 'dot' || n.op === 'scatterAdd' ? undefined : candidates.find((g) => canJoin(n, loads, g) && acyclicWith(g, deps));
    if (!target) target = newGroup(n);
    target.nodes.push(n);
    for (const d of deps) if (d !== target) target.deps.add(d);
    target.loads.push(...loads);
    groupOf.set(n, target);
  }

  // ---- schedule (topological over groups) --------------------------------------------------------
  const scheduled: Group[] = [];
  const state = new Map<Group, 1 | 2>();
  const visit = (g: Group) => {
    if (state.get(g) === 2) return;
    if (state.get(g) === 1) throw new CompileError('fusion produced a cycle between kernels');
    state.set(g, 1);
    [...g.deps].sort((a, b) => a.id - b.id).forEach(visit);
    state.set(g, 2);
    scheduled.push(g);
  };
  groups.forEach(visit);

  // ---- buffers ---------------------------------------------------------------------------------
  const buffers: BufferInfo[] = [];
  const bufferOfNode = new Map<Node, number>();
  const addBuffer = (node: Node, role: BufferRole, io?: number, shape = node.shape, dtype = node.dtype): number => {
    const id = buffers.length;
    buffers.push({ id, dtype, shape, size: sizeOf(shape), role, node, ...(io !== undefined ? { io } : {}) });
    return id;
  };
  inputs.forEach((n, i) => bufferOfNode.set(n, addBuffer(n, 'input', i)));
  const literals = new Map<number, ArrayLike<number>>();
  for (const n of order) {
    if (n.op === 'literal') {
      const id = addBuffer(n, 'literal');
      bufferOfNode.set(n, id);
      literals.set(id, (n.params as PrimParams['literal']).data);
    }
  }
  for (const n of order) {
    if (n.op === 'input' && !bufferOfNode.has(n)) {
      throw new CompileError(`input "${(n.params as PrimParams['input']).name}" is used but not among the program's inputs`);
    }
  }
  // A materialised node needs a buffer if another kernel reads it, it is an output, or it is a matmul result.
  const readElsewhere = new Set<Node>();
  for (const g of groups) for (const l of g.loads) if (groupOf.get(l.node) !== g) readElsewhere.add(l.node);
  for (const g of scheduled) {
    for (const n of g.nodes) {
      if (outputSet.has(n) || readElsewhere.has(n) || n.op === 'dot' || n.op === 'scatterAdd') {
        bufferOfNode.set(n, addBuffer(n, outputSet.has(n) ? 'output' : 'temp'));
      }
    }
  }
  const outputBuffers = outputs.map((o) => {
    const id = bufferOfNode.get(o);
    if (id === undefined) throw new CompileError(`output %${o.id} has no buffer`);
    return id;
  });

  // ---- kernels ---------------------------------------------------------------------------------
  const kernels: (Kernel & { nodes: readonly Node[] })[] = [];
  const isMaterialisedWithBuffer = (n: Node) => bufferOfNode.has(n);

  const mapStores = (g: Group, nodes: readonly Node[], emitter: Emitter): Store[] =>
    nodes
      .filter((n) => bufferOfNode.has(n) && n.op !== 'dot')
      .map((n) => ({ buffer: bufferOfNode.get(n)!, index: linearIndex(vars(g.space), g.space), expr: emitter.emit(n, vars(g.space)) }));

  for (const g of scheduled) {
    const members = new Set(g.nodes);
    const b = new ExprBuilder();
    const rowStage = new Map<Node, number>();
    // Row kernels: a member already stored by an earlier stage is loaded back (cheap, cache-hot)
    // rather than recomputed (softmax's division stage reuses the stored exponentials).
    const storedMembers = new Set<Node>();
    const ctx: EmitContext = {
      local(n, coords) {
        if (!members.has(n)) return undefined;
        if (g.kind === 'row' && rowStage.has(n) && linearKey(coords, n.shape) === linearKey(keptAxes(g).map((a) => varIdx(loopVar(a), g.space[a]!)), keptShape(g))) {
          return b.rowValue(rowStage.get(n)!, n.dtype);
        }
        return undefined;
      },
      bufferOf(n) {
        // members are computed inline at their own element; others are read from memory
        if (storedMembers.has(n)) return bufferOfNode.get(n);
        if (members.has(n) && n.op !== 'dot' && !(g.kind === 'row' && isReduction(n))) return undefined;
        return bufferOfNode.get(n) ?? (materialised.has(n) && !members.has(n) ? missing(n) : undefined);
      },
    };
    let emitter = new Emitter(b, ctx);
    const nodes = g.nodes;

    if (g.kind === 'map') {
      kernels.push({ kind: 'map', space: g.space, stores: mapStores(g, nodes, emitter), nodes });
    } else if (g.kind === 'matmul') {
      const dot = nodes[0]!;
      const { kernel, packs } = matmulKernel(dot, bufferOfNode.get(dot)!);
      kernels.push(...packs);
      const epilogueNodes = nodes.slice(1);
      const epilogue: MapKernel | undefined = epilogueNodes.length
        ? { kind: 'map', space: g.space, stores: mapStores(g, epilogueNodes, emitter) }
        : undefined;
      kernels.push({ ...kernel, ...(epilogue ? { epilogue } : {}), nodes });
    } else if (g.kind === 'scatter') {
      const n = nodes[0]!;
      kernels.push({ ...scatterKernel(n, emitter, b), nodes });
    } else {
      const stages: RowStage[] = [];
      const X = vars(g.space);
      const kept = keptAxes(g).map((a) => varIdx(loopVar(a), g.space[a]!));
      for (const n of nodes) {
        if (isReduction(n)) {
          const op = n.op === 'reduceSum' ? 'sum' : n.op === 'reduceMax' ? 'max' : 'argmax';
          const expr = emitter.emit(n.inputs[0]!, X);
          const buf = bufferOfNode.get(n);
          stages.push({
            kind: 'reduce', op, expr, dtype: n.dtype,
            ...(buf !== undefined ? { store: { buffer: buf, index: linearIndex(kept, n.shape) } } : {}),
          });
          rowStage.set(n, stages.length - 1);
        } else if (sameShape(n.shape, keptShape(g)) && !sameShape(n.shape, g.space)) {
          const buf = bufferOfNode.get(n);
          stages.push({
            kind: 'rowMap', expr: emitter.emit(n, kept), dtype: n.dtype,
            ...(buf !== undefined ? { store: { buffer: buf, index: linearIndex(kept, n.shape) } } : {}),
          });
          rowStage.set(n, stages.length - 1);
        } else {
          const buf = bufferOfNode.get(n);
          if (buf !== undefined) {
            stages.push({ kind: 'innerMap', stores: [{ buffer: buf, index: linearIndex(X, g.space), expr: emitter.emit(n, X) }] });
            storedMembers.add(n);
            emitter = new Emitter(b, ctx); // forget inline forms of n: later stages load it
          }
        }
      }
      kernels.push({ kind: 'row', space: g.space, reduced: g.reduced, stages, nodes });
    }
  }

  function missing(n: Node): never {
    throw new CompileError(`fusion: %${n.id} (${n.op}) is read by another kernel but has no buffer`);
  }

  /** The matmul for a dot node; operands that are not strided views get a packing kernel first. */
  function matmulKernel(dot: Node, c: number): { kernel: MatmulKernel; packs: (MapKernel & { nodes: readonly Node[] })[] } {
    const [a, bNode] = dot.inputs as [Node, Node];
    const { contract: [ca, cb], batch: [ba, bb] } = dot.params as PrimParams['dot'];
    const freeA = a.shape.map((_, i) => i).filter((i) => !ca.includes(i) && !ba.includes(i));
    const freeB = bNode.shape.map((_, i) => i).filter((i) => !cb.includes(i) && !bb.includes(i));
    const size = (x: Node, axes: readonly number[]) => axes.reduce((p, i) => p * x.shape[i]!, 1);
    const m = size(a, freeA);
    const n = size(bNode, freeB);
    const k = size(a, ca);
    const batch = size(a, ba);
    const packs: (MapKernel & { nodes: readonly Node[] })[] = [];

    const operand = (x: Node, batchAxes: readonly number[], rowAxes: readonly number[], colAxes: readonly number[]): MatmulOperand => {
      // op(X) rows are rowAxes (m for A, k for B), columns colAxes (k for A, n for B)
      const view = stridedView(x, isMaterialisedWithBuffer);
      if (view && bufferOfNode.has(view.base)) {
        const sb = collapseStrides(batchAxes.map((i) => x.shape[i]!), batchAxes.map((i) => view.strides[i]!));
        const sr = collapseStrides(rowAxes.map((i) => x.shape[i]!), rowAxes.map((i) => view.strides[i]!));
        const sc = collapseStrides(colAxes.map((i) => x.shape[i]!), colAxes.map((i) => view.strides[i]!));
        const rows = size(x, rowAxes);
        const cols = size(x, colAxes);
        // a repeated (stride 0) row or column axis is not a matrix the GEMM can read: pack it
        const repeated = (stride: number | undefined, n: number) => stride === 0 && n > 1;
        if (sb !== undefined && sr !== undefined && sc !== undefined && !repeated(sr, rows) && !repeated(sc, cols)) {
          const base = bufferOfNode.get(view.base)!;
          const batchStride = batch > 1 ? sb : 0;
          if (sc === 1 || cols === 1) return { buffer: base, offset: view.offset, ld: rows === 1 ? Math.max(cols, 1) : sr, trans: false, batchStride };
          if (sr === 1 || rows === 1) return { buffer: base, offset: view.offset, ld: cols === 1 ? Math.max(rows, 1) : sc, trans: true, batchStride };
        }
      }
      // pack into a contiguous [batch, rows, cols] buffer
      const perm = [...batchAxes, ...rowAxes, ...colAxes];
      const packedShape = [size(x, batchAxes), size(x, rowAxes), size(x, colAxes)];
      const id = addBuffer(x, 'temp', undefined, packedShape, x.dtype);
      const pb = new ExprBuilder();
      const packEmitter = new Emitter(pb, { local: () => undefined, bufferOf: (y) => bufferOfNode.get(y) });
      const fullShape = perm.map((i) => x.shape[i]!);
      const fullVars = vars(fullShape);
      const coords = new Array<Affine>(x.shape.length);
      perm.forEach((axis, j) => (coords[axis] = fullVars[j]!));
      packs.push({
        kind: 'map',
        space: fullShape,
        stores: [{ buffer: id, index: linearIndex(fullVars, fullShape), expr: packEmitter.emit(x, coords) }],
        nodes: [],
      });
      return { buffer: id, offset: 0, ld: packedShape[2]!, trans: false, batchStride: batch > 1 ? packedShape[1]! * packedShape[2]! : 0 };
    };
    const A = operand(a, ba, freeA, ca);
    const B = operand(bNode, bb, cb, freeB);
    return { kernel: { kind: 'matmul', m, n, k, batch, a: A, b: B, c }, packs };
  }

  function scatterKernel(n: Node, emitter: Emitter, eb: ExprBuilder): ScatterKernel {
    const [upd, idx] = n.inputs as [Node, Node];
    const { axis, batchDims, site } = n.params as PrimParams['scatterAdd'];
    const coords = vars(upd.shape);
    const nI = idx.shape.length - batchDims;
    const B = coords.slice(0, batchDims);
    const Pc = coords.slice(batchDims, axis);
    const I = coords.slice(axis, axis + nI);
    const Q = coords.slice(axis + nI);
    const extent = n.shape[axis]!;
    const checked: Expr = eb.checkIndex(eb.cast(emitter.emit(idx, [...B, ...I]), 'i32'), extent, site ?? `scatterAdd %${n.id}`);
    const target = linearIndex([...B, ...Pc, valueIdx(checked, extent), ...Q], n.shape);
    return { kind: 'scatter', space: upd.shape, out: bufferOfNode.get(n)!, outSize: n.size, target, value: emitter.emit(upd, coords) };
  }

  return {
    buffers,
    kernels,
    inputBuffers: inputs.map((n) => bufferOfNode.get(n)!),
    outputBuffers,
    literals,
    outputs,
  };
}
