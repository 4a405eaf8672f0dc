import type { KernelProgram, MatmulKernel, RowKernel } from '../../kernel/kernel.ts';
import type { MemoryPlan } from '../../schedule/memoryPlan.ts';
import { kernelBuffers } from '../../schedule/liveness.ts';
import { GPU_LIMITS, type MatmulTile, SOFTWARE_LIMITS, matmulShader, matmulTile } from './matmulShader.ts';
import { type KernelContext, mapShader } from './mapShader.ts';
import { type RowLayout, rowLayout, rowShader } from './rowShader.ts';
import { scatterShader } from './scatterShader.ts';
import { MAX_GROUPS, type ShaderSpec, ceilDiv, shaderSource } from './shaderModule.ts';
import { type ArenaLayout, type WordPlace, arenaName, wordPlace } from './arenas.ts';

const FILL_GROUP = 256;

/** A word-wise fill (`value` as WGSL) or copy (`from`) of `words` words at `at`. */
export function wordsShader(label: string, at: WordPlace, words: number, source: { value: string } | { from: WordPlace }): ShaderSpec {
  const rhs = 'value' in source ? source.value : `${arenaName(source.from.arena)}[${source.from.word} + px_e]`;
  const body = [`for (var px_e: i32 = i32(gid.x); px_e < ${words}; px_e = px_e + i32(nwg.x) * ${FILL_GROUP}) {`, `  ${arenaName(at.arena)}[${at.word} + px_e] = ${rhs};`, '}'];
  const { wgsl, arenas } = shaderSource({ printers: [], workgroupSize: FILL_GROUP, body });
  return { label, kernel: -1, wgsl, usesStatus: false, arenas, workgroups: [Math.min(ceilDiv(words, FILL_GROUP), MAX_GROUPS), 1, 1], workgroupBytes: 0, invocations: FILL_GROUP };
}

/** Index-check sites of a program, numbered from 1 (0 in the status word means no error). */
export class SiteTable {
  readonly sites: string[] = [];
  id = (site: string): number => {
    const i = this.sites.indexOf(site);
    return i >= 0 ? i + 1 : this.sites.push(site);
  };
}

/** How kernels are laid out (tests force each tile and row layout; the defaults choose by shape). */
export interface ShaderOptions {
  /** Overwrite buffers the memory plan frees after their last kernel (NaN for floats), to test the plan. */
  readonly poison?: boolean;
  /** The device is a software rasteriser (smaller register blocks). */
  readonly software?: boolean;
  readonly matmulTile?: (k: MatmulKernel) => MatmulTile;
  readonly rowLayout?: (k: RowKernel) => RowLayout;
}

/**
 * The dispatches of a fused program, in order: one shader per kernel (a matmul with its epilogue,
 * a row kernel with all its stages, a scatter in one pass). A matmul's C is stored only when
 * something besides its epilogue reads it.
 */
export function programShaders(p: KernelProgram, plan: MemoryPlan, layout: ArenaLayout, sites: SiteTable, options: ShaderOptions = {}): ShaderSpec[] {
  const ctx: KernelContext = { place: (b) => wordPlace(plan, layout, b), siteId: sites.id };
  const limits = options.software ? SOFTWARE_LIMITS : GPU_LIMITS;
  const io = p.kernels.map((k) => kernelBuffers(k));
  const outputs = new Set(p.outputBuffers);
  const out: ShaderSpec[] = [];
  p.kernels.forEach((k, i) => {
    const label = `k${i}:${k.kind}`;
    let spec: ShaderSpec | undefined;
    switch (k.kind) {
      case 'map': spec = mapShader(k, ctx, label, i); break;
      case 'row': spec = rowShader(k, ctx, label, i, options.rowLayout?.(k) ?? rowLayout(k, limits.invocations)); break;
      case 'scatter': spec = scatterShader(k, ctx, label, i); break;
      case 'matmul': {
        const readElsewhere = outputs.has(k.c) || io.some((x, j) => j !== i && x.reads.has(k.c));
        spec = matmulShader(k, ctx, label, i, readElsewhere, options.matmulTile?.(k) ?? matmulTile(k.m, k.n, k.batch, limits));
      }
    }
    if (spec) out.push(spec);
    if (options.poison) {
      for (const b of plan.freedAfter[i] ?? []) {
        const info = p.buffers[b]!;
        out.push(wordsShader(`poison b${b}`, ctx.place(b), info.size, { value: info.dtype === 'f32' ? '0x7fc00000u' : '0xdeadbeefu' }));
      }
    }
  });
  return out;
}
