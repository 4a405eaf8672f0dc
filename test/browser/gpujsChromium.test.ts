import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpujsMode } from '../../compiler/backends/gpujs/modes.ts';
import { compareCase, integerCase, randomCase, randomPrograms, reference } from '../compiler/backends/gpujs/cases.ts';
import { bundleForBrowser } from './bundle.ts';
import { type BrowserPage, openPage } from './chromium.ts';
import type { PageJob, PageResult } from './gpujsPage.ts';

/**
 * The gpujs backend in headless Chromium: WebGPU (and WebGL2) on SwiftShader, compared with the
 * reference interpreter run here in Node. Runs in CI (.ci/run installs Chromium); a missing
 * Chromium fails the suite.
 */
let browser: BrowserPage;
beforeAll(async () => {
  browser = await openPage(await bundleForBrowser('./gpujsPage.ts'));
});
afterAll(async () => {
  await browser?.close();
});

const forward = randomPrograms(6, 31337, 10);
const grads = randomPrograms(4, 2024, 7);

async function runInPage(mode: GpujsMode, jobs: readonly PageJob[]): Promise<PageResult[]> {
  return browser.page.evaluate(
    ([m, j]) => (globalThis as unknown as { pretextGpujs: { run(mode: string, jobs: unknown): Promise<PageResult[]> } }).pretextGpujs.run(m, j),
    [mode, jobs] as const,
  );
}

/** Failures of one page result against the interpreter's outputs for the same case. */
function check(r: PageResult, want: () => ReturnType<typeof reference>, what: string, kind: 'forward' | 'grad' = 'forward'): string[] {
  if ('error' in r) return [`${what}: ${r.error}`];
  if ('failures' in r) return r.failures.map((f) => `${what}: ${f}`);
  return compareCase(r.outputs, want(), what, kind);
}

describe.each(['webgpu', 'webgl2'] as const)('gpujs %s in headless Chromium', (mode) => {
  it('has the API', async () => {
    const env = await browser.page.evaluate(() => (globalThis as unknown as { pretextGpujs: { environment(): Promise<Record<string, boolean>> } }).pretextGpujs.environment());
    expect(env[mode === 'webgpu' ? 'adapter' : 'webgl2']).toBe(true);
  });

  it('integer helpers and integer/random-bit semantics match JavaScript and the interpreter', async () => {
    const [helpers, ints] = await runInPage(mode, [{ kind: 'helpers' }, { kind: 'integers' }]);
    expect([...check(helpers!, () => [], 'helpers'), ...check(ints!, () => reference(integerCase()), 'integers')]).toEqual([]);
  });

  it('random graphs, forward and value-and-grad, match the interpreter', async () => {
    const jobs: PageJob[] = [...forward.map((prog) => ({ kind: 'forward' as const, prog })), ...grads.map((prog) => ({ kind: 'grad' as const, prog }))];
    const results = await runInPage(mode, jobs);
    const failures = results.flatMap((r, j) => {
      const job = jobs[j]! as { kind: 'forward' | 'grad'; prog: (typeof forward)[number] };
      return check(r, () => reference(randomCase(job.prog, job.kind)), `${job.kind} program ${j}`, job.kind);
    });
    expect(failures).toEqual([]);
  });
});
