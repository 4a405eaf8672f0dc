import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildWebBundles, WebBuildError } from '../../web/build.ts';

/** Size budget of the page's bundles, minified (bytes); most of the worker is gpu.js (the gpujs backend). */
const BUDGET = { 'page.js': 16_000, 'worker.js': 1_300_000, 'pool-worker.js': 8_000 } as const;

describe('the browser bundles (web/build.ts)', () => {
  it('build without Node code and fit the size budget', async () => {
    const { bytes, files } = await buildWebBundles();
    console.log(`bundle sizes (minified bytes): ${JSON.stringify(bytes)}`);
    for (const [name, budget] of Object.entries(BUDGET)) expect(bytes[name as keyof typeof BUDGET], name).toBeLessThan(budget);
    // the training step's code is in the worker: compiler, wasm kernels, objectives, the PCFG sampler
    expect(files.get('worker.js')).toMatch(/relaxed_madd|threefry|pretext serve/);
  }, 60_000);

  it('refuse an entry whose code calls Node APIs, naming them', async () => {
    const entries = { 'x.js': fileURLToPath(new URL('./fixtures/callsNode.ts', import.meta.url)) };
    const e = await buildWebBundles({ entries }).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(WebBuildError);
    expect((e as Error).message).toContain('node:fs readFileSync');
    expect((e as Error).message).toContain('the global Buffer');
  }, 60_000);
});
