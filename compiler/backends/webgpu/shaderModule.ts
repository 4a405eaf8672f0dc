import { arenaName, arenasUsed } from './arenas.ts';
import { RUNTIME_ZERO, type WgslPrinter } from './wgslExpr.ts';
import { helperSources } from './wgslHelpers.ts';

/** One compute dispatch of a program: its WGSL, workgroup count, and what it is for. */
export interface ShaderSpec {
  readonly label: string;
  /** The program kernel it belongs to (-1: runtime work such as poisoning or state copies). */
  readonly kernel: number;
  readonly wgsl: string;
  readonly workgroups: readonly [number, number, number];
  /** Binds the status buffer (reports out-of-range indices). */
  readonly usesStatus: boolean;
  /** The arenas it binds (arena i at binding i + 1; the status buffer at 0). */
  readonly arenas: readonly number[];
  readonly workgroupBytes: number;
  readonly invocations: number;
}

/** At most this many workgroups per dimension (WebGPU's default limit); kernels loop beyond it. */
export const MAX_GROUPS = 65535;

export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);
export const pow2AtLeast = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** Indents lines of WGSL by `n` levels. */
export const indent = (lines: readonly string[], n = 1): string[] => lines.map((l) => `${'  '.repeat(n)}${l}`);

/**
 * A complete shader: the arena (and status) bindings, helpers, workgroup declarations, extra
 * functions and `main` with the usual builtins.
 */
export function shaderSource(o: {
  readonly printers: readonly WgslPrinter[];
  readonly workgroupSize: number;
  readonly body: readonly string[];
  readonly decls?: readonly string[];
  readonly functions?: readonly string[];
}): { wgsl: string; usesStatus: boolean; arenas: number[] } {
  const usesStatus = o.printers.some((p) => p.usesStatus);
  const helpers = helperSources(o.printers.flatMap((p) => [...p.helpers]));
  const arenas = arenasUsed([...(o.decls ?? []), ...(o.functions ?? []), ...o.body].join('\n'));
  const lines = [
    ...arenas.map((a) => `@group(0) @binding(${a + 1}) var<storage, read_write> ${arenaName(a)}: array<u32>;`),
    ...(usesStatus ? ['@group(0) @binding(0) var<storage, read_write> px_status: array<atomic<u32>>;'] : []),
    `var<private> ${RUNTIME_ZERO}: u32 = 0u;`,
    ...helpers,
    ...(o.decls ?? []),
    ...(o.functions ?? []),
    `@compute @workgroup_size(${o.workgroupSize})`,
    'fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,',
    '        @builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {',
    ...indent(o.body),
    '}',
  ];
  return { wgsl: lines.join('\n'), usesStatus, arenas };
}
