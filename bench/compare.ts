import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Benchmark } from './benchmark.ts';

const PEERS = resolve(import.meta.dirname, '../../shared/bench/peers');

/** RESULT lines of a run_all.sh output directory: impl, config, step_ms / gflops... */
function peerResults(dir: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.log'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (line.startsWith('RESULT ')) out.push(Object.fromEntries(line.slice(7).trim().split(/\s+/).map((kv) => kv.split('=') as [string, string])));
    }
  }
  return out;
}

function runPretext(args: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args, '--json'], { encoding: 'utf8', cwd: resolve(import.meta.dirname, '..'), maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

/**
 * `npm run bench -- compare [--repeats R] [--configs tiny,small]`: the peers of
 * ../shared/bench/peers (PyTorch + OpenBLAS, jax-js wasm 1 and 2 threads) and pretext on the same
 * workloads in one session, interleaved per repeat (this VM's speed drifts), then one table with
 * the ratios. Raw logs go to bench/results/<stamp>/.
 */
export const compareBenchmark: Benchmark = {
  name: 'compare',
  summary: 'peers (../shared/bench/peers) and pretext on bert-mlm-step and matmul, same session, with ratios',
  async run(argv) {
    const { values } = parseArgs({ args: [...argv], options: { repeats: { type: 'string', default: '1' }, configs: { type: 'string', default: 'tiny,small' }, impls: { type: 'string', default: 'torch-openblas jaxjs-wasm-1t jaxjs-wasm-mt' } } });
    if (!existsSync(join(PEERS, 'run_all.sh'))) throw new Error(`no peers at ${PEERS}`);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const root = resolve(import.meta.dirname, 'results', stamp);
    mkdirSync(root, { recursive: true });
    const configs = values.configs!.split(',');
    const rows: Record<string, unknown>[] = [];
    for (let r = 0; r < Number(values.repeats); r++) {
      const out = join(root, `peers-r${r}`);
      execFileSync('bash', [join(PEERS, 'run_all.sh')], {
        env: { ...process.env, OUT: out, REPEATS: '1', CONFIGS: configs.join(' '), IMPLS: values.impls!, SKIP_INSTALL: r > 0 ? '1' : '0' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      for (const res of peerResults(out)) rows.push({ repeat: r, source: 'peer', ...res });
      for (const c of configs) rows.push({ repeat: r, source: 'pretext', ...runPretext(['bert-mlm-step', '--config', c]) });
      for (const n of [256, 512, 1024]) rows.push({ repeat: r, source: 'pretext', ...runPretext(['matmul', '--size', String(n)]) });
      writeFileSync(join(root, 'rows.json'), JSON.stringify(rows, null, 2));
    }
    const bert = (impl: string, config: string) =>
      rows.filter((x) => (x['impl'] === impl) && x['config'] === config).map((x) => Number(x['tokens_per_s'] ?? x['tokensPerSecond']));
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const summary: Record<string, unknown> = { results: root };
    for (const c of configs) {
      const ours = median(bert('pretext-cpu', c));
      summary[c] = {
        pretextTokensPerSecond: ours,
        ...Object.fromEntries(values.impls!.split(/\s+/).map((impl) => {
          const name = impl === 'jaxjs-wasm-mt' ? 'jaxjs-wasm-2t' : impl;
          const peer = median(bert(name, c));
          return [name, { tokensPerSecond: peer, ratio: ours / peer }];
        })),
      };
    }
    return summary;
  },
};
