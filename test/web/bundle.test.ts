import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildWebBundles, WebBuildError } from '../../web/build.ts';

/**
 * Size budget of the page's bundles, minified bytes an entry loads at start (its file and the
 * chunks it imports statically). Measured: page.js 4.1k, worker.js 484k, pool-worker.js 2.2k;
 * the gpujs chunk 652k (most of it gpu.js), loaded only when the gpujs backend is chosen.
 */
const BUDGET = { 'page.js': 16_000, 'worker.js': 560_000, 'pool-worker.js': 8_000 } as const;
const GPUJS_BUDGET = 750_000;
/** A string literal of gpu.js's browser build that minification keeps. */
const GPUJS_MARK = 'received a WebGPU pipeline buffer';

describe('the browser bundles (web/build.ts)', () => {
  it('build without Node code and fit the size budget; gpu.js is only in the on-demand gpujs chunk', async () => {
    const { bytes, files, lazyBytes } = await buildWebBundles();
    console.log(`bundle sizes (minified bytes at start): ${JSON.stringify(bytes)}; on demand: ${JSON.stringify(Object.fromEntries(lazyBytes))}`);
    for (const [name, budget] of Object.entries(BUDGET)) expect(bytes[name as keyof typeof BUDGET], name).toBeLessThan(budget);
    // the training step's code is in the worker: compiler, wasm kernels, objectives, the PCFG sampler
    expect(files.get('worker.js')).toMatch(/relaxed_madd|threefry|pretext serve/);
    const gpujs = [...lazyBytes].filter(([f]) => f.startsWith('gpujsBackend-'));
    expect(gpujs).toHaveLength(1);
    const [chunk, chunkBytes] = gpujs[0]!;
    expect(chunkBytes).toBeLessThan(GPUJS_BUDGET);
    expect(files.get(chunk)).toContain(GPUJS_MARK);
    const eager = [...files].filter(([f]) => !lazyBytes.has(f));
    // no file the page's workers load at start has gpu.js
    expect(eager.filter(([, text]) => text.includes(GPUJS_MARK)).map(([f]) => f)).toEqual([]);
  }, 60_000);

  it('refuse an entry whose code calls Node APIs, naming them', async () => {
    const entries = { 'x.js': fileURLToPath(new URL('./fixtures/callsNode.ts', import.meta.url)) };
    const e = await buildWebBundles({ entries }).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(WebBuildError);
    expect((e as Error).message).toContain('node:fs readFileSync');
    expect((e as Error).message).toContain('the global Buffer');
  }, 60_000);
});
