import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { browserBoundary } from '../../web/build.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Bundles a browser test entry with esbuild, with the page's boundary between Node-only and
 * browser code (web/build.ts: `.browser.ts` platform modules, throwing stubs for Node built-ins).
 * gpu.js resolves to its browser build.
 */
export async function bundleForBrowser(entry: string): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [here(entry)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    logLevel: 'silent',
    plugins: [browserBoundary],
  });
  return result.outputFiles[0]!.text;
}
