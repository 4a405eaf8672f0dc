import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// Chromium's SwiftShader: a software Vulkan driver (and its loader) for Dawn where there is no GPU.
const CHROMIUM_LIB = '/usr/lib/chromium';

/** The environment Dawn needs to find Vulkan (SwiftShader where there is no GPU driver). */
export function dawnEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (existsSync(`${CHROMIUM_LIB}/libvulkan.so.1`)) {
    env['LD_LIBRARY_PATH'] = [CHROMIUM_LIB, env['LD_LIBRARY_PATH']].filter(Boolean).join(':');
    env['VK_ICD_FILENAMES'] ??= `${CHROMIUM_LIB}/vk_swiftshader_icd.json`;
  }
  env['XDG_RUNTIME_DIR'] ??= '/tmp';
  env['PRETEXT_QUIET'] = '1';
  return { ...env, ...extra };
}

export interface ChildResult {
  /** No WebGPU adapter in the child (no Vulkan driver). */
  readonly unavailable?: string;
  readonly failures?: string[];
  readonly checked?: number;
  readonly [k: string]: unknown;
}

/**
 * Runs `script` (a .ts file run by tsx) in a child Node process with the Vulkan environment (Dawn
 * loads libvulkan when the process starts, so it cannot be set from inside) and returns the last
 * JSON line it printed.
 */
export function runDawnChild(script: string, args: readonly string[] = [], env = dawnEnv(), timeoutMs = 240_000): ChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { env, encoding: 'utf8', timeout: timeoutMs });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`${script} ${args.join(' ')} printed no result (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return JSON.parse(line) as ChildResult;
}

const RUNNER = new URL('./nodeRunner.ts', import.meta.url).pathname;

/**
 * A suite of nodeRunner.ts in a Dawn child process. A machine without an adapter fails loudly
 * (CI installs Chromium, whose SwiftShader is the adapter there), like the Chromium tests.
 */
export function dawnSuite(suite: string, timeoutMs?: number): ChildResult {
  const r = runDawnChild(RUNNER, [suite], dawnEnv(), timeoutMs);
  if (r.unavailable) throw new Error(`no WebGPU adapter for the webgpu tests: ${r.unavailable} (install Debian's chromium for SwiftShader)`);
  return r;
}
