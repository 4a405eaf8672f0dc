import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Bundles a browser test entry with esbuild (the copy tsx ships). pretext's compile path imports
 * a few Node built-ins at module level (the CPU backend's worker pool, dsl/site.ts); in the page
 * they get stubs, which the gpujs path never calls. gpu.js resolves to its browser build.
 */
export async function bundleForBrowser(entry: string): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [here(entry)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    // dsl/site.ts asks process.cwd() when it records a call site; nothing else reads it in the page
    banner: { js: "const process = { env: {}, versions: {}, cwd: () => '/' };" },
    logLevel: 'silent',
    plugins: [
      {
        name: 'node-builtins',
        setup(build) {
          build.onResolve({ filter: /^node:(path|url)$/ }, (a) => ({ path: here(`./stubs/${a.path.slice(5)}.ts`) }));
          build.onResolve({ filter: /^(node:.*|webgpu)$/ }, (a) => ({ path: a.path, namespace: 'empty' }));
          build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
        },
      },
    ],
  });
  return result.outputFiles[0]!.text;
}
