import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchInputError, type Benchmark } from './benchmark.ts';

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

const median = (xs: readonly number[]): number => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Medians and ratios of a compare run's rows (peers and pretext, tagged by repeat). */
function summarise(rows: readonly Record<string, unknown>[], root: string): Record<string, unknown> {
  const repeats = [...new Set(rows.map((x) => Number(x['repeat'])))].sort((a, b) => a - b);
  const configs = [...new Set(rows.filter((x) => x['source'] === 'pretext' && typeof x['config'] === 'string').map((x) => x['config'] as string))];
  const peerNames = [...new Set(rows.filter((x) => x['source'] === 'peer').map((x) => x['impl'] as string))].sort();
  // Ratios pair pretext with each peer of the same repeat (measured minutes apart), then take the
  // median over repeats: the VM's speed drifts more between repeats than within one.
  const measure = (impl: string, pick: (x: Record<string, unknown>) => boolean, value: (x: Record<string, unknown>) => number) => (r: number) =>
    rows.filter((x) => x['repeat'] === r && pick(x) && (impl === 'pretext' ? x['source'] === 'pretext' : x['impl'] === impl)).map(value)[0] ?? NaN;
  const compareOn = (pick: (x: Record<string, unknown>) => boolean, value: (x: Record<string, unknown>) => number) => {
    const ours = repeats.map(measure('pretext', pick, value));
    return {
      pretext: round(median(ours)),
      ...Object.fromEntries(peerNames.map((name) => {
        const theirs = repeats.map(measure(name, pick, value));
        const ratios = repeats.map((r) => ours[r]! / theirs[r]!);
        return [name, { value: round(median(theirs)), ratio: round(median(ratios)), ratioPerRepeat: ratios.map(round) }];
      })),
    };
  };
  const summary: Record<string, unknown> = { results: root, repeats: repeats.length };
  for (const c of configs) summary[`bert-mlm-step ${c} (tokens/s)`] = compareOn((x) => x['config'] === c, (x) => Number(x['tokens_per_s'] ?? x['tokensPerSecond']));
  for (const n of [256, 512, 1024]) summary[`matmul ${n} (GFLOP/s)`] = compareOn((x) => Number(x['n']) === n, (x) => Number(x['gflops']));
  return summary;
}

type Comparison = { pretext: number } & Record<string, number | { value: number; ratio: number; ratioPerRepeat: number[] }>;

/** The summary as a markdown table: one row per workload, pretext's value, each peer's value and ratio. */
export function comparisonTable(summary: Record<string, unknown>): string {
  const entries = Object.entries(summary).filter(([, v]) => typeof v === 'object' && v !== null && 'pretext' in v) as [string, Comparison][];
  const peers = [...new Set(entries.flatMap(([, v]) => Object.keys(v).filter((k) => k !== 'pretext')))];
  const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const head = `| workload | pretext | ${peers.map((p) => `${p} | pretext ÷ ${p}`).join(' | ')} |`;
  const rule = `|---|---:|${peers.map(() => '---:|---:').join('|')}|`;
  const body = entries.map(([name, v]) => `| ${name} | ${fmt(v.pretext)} | ${peers.map((p) => {
    const c = v[p] as { value: number; ratio: number; ratioPerRepeat: number[] } | undefined;
    return c ? `${fmt(c.value)} | ${c.ratio.toFixed(2)}x${c.ratioPerRepeat.length > 1 ? ` (${c.ratioPerRepeat.map((r) => r.toFixed(2)).join(', ')})` : ''}` : '– | –';
  }).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}

/**
 * `npm run bench -- compare [--repeats R] [--configs tiny,small] [--impls "..."]`: the peers of
 * ../shared/bench/peers (PyTorch + OpenBLAS, jax-js wasm 1 and 2 threads) and pretext on the same
 * workloads in one session, interleaved per repeat (this VM's speed drifts), then one table with
 * the ratios. Raw logs go to bench/results/<stamp>/; `--from bench/results/<stamp>` summarises an
 * earlier run again without measuring.
 */
export const compareBenchmark: Benchmark = {
  name: 'compare',
  summary: 'peers (../shared/bench/peers) and pretext on bert-mlm-step and matmul, same session, with ratios',
  async run(argv, { json }) {
    const summary = await measureOrLoad(argv);
    if (!json) console.log(`${comparisonTable(summary)}\n\n(medians over repeats; ratios per repeat in parentheses)`);
    return summary;
  },
};

async function measureOrLoad(argv: readonly string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args: [...argv], options: { repeats: { type: 'string', default: '1' }, configs: { type: 'string', default: 'tiny,small' }, impls: { type: 'string', default: 'torch-openblas jaxjs-wasm-1t jaxjs-wasm-mt' }, from: { type: 'string' } } });
  if (values.from) {
    const file = join(resolve(values.from), 'rows.json');
    if (!existsSync(file)) throw new BenchInputError(`--from: ${file} not found (give the bench/results/<stamp> folder of an earlier compare)`, { file });
    return summarise(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[], resolve(values.from));
  }
  if (!existsSync(join(PEERS, 'run_all.sh'))) throw new BenchInputError(`no peers at ${PEERS} (compare needs the ../shared checkout beside this one)`, { file: PEERS });
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
  return summarise(rows, root);
}
