import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareCase, integerCase, randomCase, randomPrograms, reference } from '../compiler/backends/gpujs/cases.ts';
import { bundleForBrowser } from './bundle.ts';
import { type BrowserPage, openPage } from './chromium.ts';
import type { WebgpuPageJob, WebgpuPageResult } from './webgpuPage.ts';

/**
 * The webgpu backend in headless Chromium (navigator.gpu on SwiftShader), compared with the
 * reference interpreter run here in Node. A missing Chromium fails the suite (CI installs it).
 */
let browser: BrowserPage;
beforeAll(async () => {
  browser = await openPage(await bundleForBrowser('./webgpuPage.ts'), 'pretextWebgpu');
});
afterAll(async () => {
  await browser?.close();
});

const run = (jobs: readonly WebgpuPageJob[]): Promise<WebgpuPageResult[]> =>
  browser.page.evaluate((j) => (globalThis as unknown as { pretextWebgpu: { run(jobs: unknown): Promise<WebgpuPageResult[]> } }).pretextWebgpu.run(j), jobs);

function check(r: WebgpuPageResult, want: () => ReturnType<typeof reference>, what: string, kind: 'forward' | 'grad' = 'forward'): string[] {
  if ('error' in r) return [`${what}: ${r.error}`];
  if ('failures' in r) return r.failures.map((f) => `${what}: ${f}`);
  return compareCase(r.outputs, want(), what, kind);
}

describe('webgpu backend in headless Chromium', () => {
  it('random graphs (forward and value-and-grad) and integer/random-bit semantics match the interpreter', async () => {
    const forward = randomPrograms(6, 4242, 10);
    const grads = randomPrograms(4, 777, 7);
    const jobs: WebgpuPageJob[] = [{ kind: 'integers' }, ...forward.map((prog) => ({ kind: 'forward' as const, prog })), ...grads.map((prog) => ({ kind: 'grad' as const, prog }))];
    const results = await run(jobs);
    const failures = results.flatMap((r, j) => {
      const job = jobs[j]!;
      if (job.kind === 'integers') return check(r, () => reference(integerCase()), 'integers');
      if (job.kind === 'kernels') return [];
      return check(r, () => reference(randomCase(job.prog, job.kind)), `${job.kind} program ${j}`, job.kind);
    });
    expect(failures).toEqual([]);
    expect(results).toHaveLength(11);
  });

  it('matmul tiles and row-reduction layouts match the interpreter', async () => {
    const [r] = await run([{ kind: 'kernels' }]);
    expect(check(r!, () => [], 'kernels')).toEqual([]);
  });
});
