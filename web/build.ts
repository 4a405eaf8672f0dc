// Bundles the page for browsers with esbuild (Node-only: `pretext serve` runs it at start-up).
// The boundary between Node-only and browser code:
// - a module with a `.browser.ts` sibling (compiler/backends/cpu/platform.ts) is replaced by it,
//   except where the sibling itself imports it (compiler/gpujsBackend.browser.ts loads the Node
//   module on demand);
// - worker.js is split: what it imports dynamically (the gpujs backend with gpu.js) is a chunk
//   fetched only when used; page.js and pool-worker.js are single files;
// - every Node built-in (node:fs...), the `webgpu` package and the Buffer global resolve to
//   stubs that throw when called. File adapters (vocab files, atomic writes...) sit in the imported graph through
//   barrels but are never called; tree shaking drops them, and the build fails if any stub
//   survives it: no code that reaches a Node API is in the bundle.
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { PretextError } from '../util/errors.ts';

export class WebBuildError extends PretextError {}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** The bundles the page loads, by URL path. */
export const ENTRIES = {
  'page.js': here('./page/main.ts'),
  'worker.js': here('./worker/trainWorker.ts'),
  'pool-worker.js': here('../compiler/backends/cpu/wasm/pool-worker.browser.mjs'),
} as const;
export type BundleName = keyof typeof ENTRIES;
/** Entries bundled with code splitting (their dynamic imports become chunks loaded on demand). */
const SPLIT: ReadonlySet<string> = new Set<BundleName>(['worker.js']);

const NODE_ONLY = 'is Node-only; the browser bundle cannot call it';
const NODE_MODULES = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'webgpu']);

/** Node's globals a browser lacks, injected as stubs (not `process`: code tests `typeof process`). */
const NODE_GLOBALS = 'pretext:node-globals';
const stubFunction = (what: string) => `() => { throw new Error(${JSON.stringify(`${what} ${NODE_ONLY}`)}); }`;

/** A stub of a Node-only module: its exports, each throwing if called. */
async function stubSource(name: string): Promise<string> {
  const real = name === 'webgpu' ? {} : ((await import(name)) as Record<string, unknown>);
  const names = Object.keys(real).filter((k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k));
  const fail = stubFunction;
  return [
    ...names.map((k) => `export const ${k} = /* @__PURE__ */ (${fail(`${name} ${k}`)});`),
    `export default /* @__PURE__ */ new Proxy({}, { get: (_, k) => (${fail(`${name} (default export)`)}) });`,
  ].join('\n');
}

/** The esbuild plugin that draws the boundary (see the top of this file); test/browser/bundle.ts uses it too. */
export const browserBoundary: esbuild.Plugin = {
  name: 'pretext-browser-boundary',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (a) => (NODE_MODULES.has(a.path) || a.path === NODE_GLOBALS ? { path: a.path, namespace: 'node-only' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'node-only' }, async (a) => ({
      contents: a.path === NODE_GLOBALS ? `export const Buffer = /* @__PURE__ */ (${stubFunction('the global Buffer')});` : await stubSource(a.path),
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\.?\/.*\.ts$/ }, (a) => {
      const browser = fileURLToPath(new URL(a.path.replace(/\.ts$/, '.browser.ts'), `file://${a.resolveDir}/`));
      return existsSync(browser) && browser !== a.importer ? { path: browser } : undefined;
    });
  },
};

export interface WebBundles {
  /** Every file the page may load (entries and chunks), by URL path without the leading slash. */
  readonly files: ReadonlyMap<string, string>;
  /** Bytes an entry loads when it starts: its file and the chunks it imports statically. */
  readonly bytes: Readonly<Record<BundleName, number>>;
  /** Chunks loaded on demand (dynamic import), by file: their bytes and those of chunks only they import. */
  readonly lazyBytes: ReadonlyMap<string, number>;
}

type Outputs = esbuild.Metafile['outputs'];
const fileOf = (output: string) => output.slice(output.lastIndexOf('/') + 1);

/** An output and the outputs it imports statically, transitively (what loading it fetches). */
function staticClosure(outputs: Outputs, start: string, into = new Set<string>()): Set<string> {
  if (into.has(start)) return into;
  into.add(start);
  for (const i of outputs[start]!.imports) if (i.kind === 'import-statement') staticClosure(outputs, i.path, into);
  return into;
}

/**
 * Builds the page's bundles (ES modules; minified unless `minify: false`; `entries` replaces the
 * page's, by output name, e.g. for a test). Throws WebBuildError
 * naming the Node APIs if any code that calls one survived tree shaking.
 */
export async function buildWebBundles(options: { readonly minify?: boolean; readonly entries?: Readonly<Record<string, string>> } = {}): Promise<WebBundles> {
  const entries = Object.entries(options.entries ?? ENTRIES);
  const results = await Promise.all([false, true].flatMap((split) => {
    const part = entries.filter(([out]) => SPLIT.has(out) === split);
    return part.length > 0 ? [bundle(part, options.minify ?? true, split)] : [];
  }));
  const files = new Map<string, string>();
  const sizes = new Map<string, number>();
  const outputs: Outputs = {};
  for (const r of results) {
    for (const f of r.outputFiles) files.set(fileOf(f.path), f.text);
    for (const [path, o] of Object.entries(r.metafile.outputs)) {
      outputs[fileOf(path)] = { ...o, imports: o.imports.map((i) => ({ ...i, path: fileOf(i.path) })) };
      sizes.set(fileOf(path), o.bytes);
    }
  }
  const reached = [...new Set([...files.values()].flatMap((text) => [...text.matchAll(new RegExp(`"([^"]+) ${NODE_ONLY}"`, 'g'))].map((m) => m[1]!)))];
  if (reached.length > 0) {
    const kept = new Set(results.flatMap((r) => Object.values(r.metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([f]) => f))));
    const users = [...new Set(results.flatMap((r) => Object.entries(r.metafile.inputs).filter(([f, i]) => kept.has(f) && i.imports.some((m) => m.path.startsWith('node-only:'))).map(([f]) => f)))];
    throw new WebBuildError(`the browser bundle keeps code that calls Node-only APIs (${reached.join(", ")}); modules in it that import Node-only ones: ${users.join(", ")}`, { apis: reached, modules: users });
  }
  const total = (set: Iterable<string>) => [...set].reduce((n, f) => n + sizes.get(f)!, 0);
  const bytes = Object.fromEntries(entries.map(([out]) => [out, total(staticClosure(outputs, out))])) as Record<BundleName, number>;
  // a dynamic import's target is an output with an entry point of its own that no entry imports statically
  const eager = new Set(entries.flatMap(([out]) => [...staticClosure(outputs, out)]));
  const lazy = Object.entries(outputs).filter(([f, o]) => o.entryPoint !== undefined && !eager.has(f));
  const lazyBytes = new Map(lazy.map(([f]) => [f, total([...staticClosure(outputs, f)].filter((c) => !eager.has(c)))]));
  return { files, bytes, lazyBytes };
}

/** One esbuild run over `entries` ([output name, source]); `split`: dynamic imports become chunks. */
async function bundle(entries: readonly (readonly [string, string])[], minify: boolean, split: boolean) {
  return esbuild.build({
    entryPoints: Object.fromEntries(entries.map(([out, path]) => [out.replace(/\.js$/, ''), path])),
    bundle: true,
    write: false,
    outdir: '/bundles',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify,
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
    splitting: split,
    chunkNames: '[name]-[hash]',
    plugins: [browserBoundary],
    inject: [NODE_GLOBALS],
  }).catch((e: { errors?: { text: string; location?: { file: string; line: number } | null }[] }) => {
    throw new WebBuildError(`the browser bundle does not build: ${(e.errors ?? []).map((x) => `${x.location ? `${x.location.file}:${x.location.line}: ` : ''}${x.text}`).join('; ') || String(e)}`, {});
  });
}
