import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// Chromium's SwiftShader: a software Vulkan driver (and its loader) for Dawn where there is no GPU.
const CHROMIUM_LIB = '/usr/lib/chromium';

/**
 * gpujs webgpu in Node through Dawn (`webgpu` package), gated on an adapter existing. Runs in a
 * child process because Dawn loads libvulkan when the process starts, so the library path must be
 * in its environment. CI installs Chromium, so there it runs (on SwiftShader).
 */
it('gpujs webgpu in Node (Dawn): helpers, integer semantics and random graphs match the interpreter', (ctx) => {
  const env = { ...process.env };
  if (existsSync(`${CHROMIUM_LIB}/libvulkan.so.1`)) {
    env['LD_LIBRARY_PATH'] = [CHROMIUM_LIB, env['LD_LIBRARY_PATH']].filter(Boolean).join(':');
    env['VK_ICD_FILENAMES'] ??= `${CHROMIUM_LIB}/vk_swiftshader_icd.json`;
  }
  env['XDG_RUNTIME_DIR'] ??= '/tmp';
  const runner = fileURLToPath(new URL('./webgpuNodeRunner.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', runner], { env, encoding: 'utf8', timeout: 240_000 });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`the webgpu runner printed no result (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  const result = JSON.parse(line) as { skipped?: string; failures?: string[]; checked?: number; ms?: number };
  if (result.skipped) ctx.skip(result.skipped);
  expect(result.failures).toEqual([]);
  expect(result.checked).toBeGreaterThan(0);
});
