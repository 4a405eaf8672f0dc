// Bundles the page for browsers with esbuild (Node-only: `pretext serve` runs it at start-up).
// The boundary between Node-only and browser code:
// - a module with a `.browser.ts` sibling (compiler/backends/cpu/platform.ts) is replaced by it;
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
      return existsSync(browser) ? { path: browser } : undefined;
    });
  },
};

export interface WebBundles {
  /** Bundle text by URL path. */
  readonly files: ReadonlyMap<BundleName, string>;
  /** Bytes per bundle. */
  readonly bytes: Readonly<Record<BundleName, number>>;
}

/**
 * Builds the page's bundles (ES modules; minified unless `minify: false`; `entries` replaces the
 * page's, by output name, e.g. for a test). Throws WebBuildError
 * naming the Node APIs if any code that calls one survived tree shaking.
 */
export async function buildWebBundles(options: { readonly minify?: boolean; readonly entries?: Readonly<Record<string, string>> } = {}): Promise<WebBundles> {
  const result = await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(options.entries ?? ENTRIES).map(([out, path]) => [out.replace(/\.js$/, ''), path])),
    bundle: true,
    write: false,
    outdir: '/bundles',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: options.minify ?? true,
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
    plugins: [browserBoundary],
    inject: [NODE_GLOBALS],
  }).catch((e: { errors?: { text: string; location?: { file: string; line: number } | null }[] }) => {
    throw new WebBuildError(`the browser bundle does not build: ${(e.errors ?? []).map((x) => `${x.location ? `${x.location.file}:${x.location.line}: ` : ''}${x.text}`).join('; ') || String(e)}`, {});
  });
  const files = new Map<BundleName, string>();
  for (const f of result.outputFiles) files.set(f.path.slice('/bundles/'.length) as BundleName, f.text);
  const reached = [...new Set([...files.values()].flatMap((text) => [...text.matchAll(new RegExp(`"([^"]+) ${NODE_ONLY}"`, 'g'))].map((m) => m[1]!)))];
  if (reached.length > 0) {
    const kept = new Set(Object.values(result.metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([f]) => f)));
    const users = Object.entries(result.metafile.inputs).filter(([f, i]) => kept.has(f) && i.imports.some((m) => m.path.startsWith('node-only:'))).map(([f]) => f);
    throw new WebBuildError(`the browser bundle keeps code that calls Node-only APIs (${reached.join(", ")}); modules in it that import Node-only ones: ${users.join(", ")}`, { apis: reached, modules: users });
  }
  const bytes = Object.fromEntries([...files].map(([k, v]) => [k, new TextEncoder().encode(v).length])) as Record<BundleName, number>;
  return { files, bytes };
}
