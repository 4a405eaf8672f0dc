// npm run bench -- NAME [flags] [--json]     (no NAME: list the benchmarks)
import { inspect } from 'node:util';
import { BenchInputError } from './benchmark.ts';
import { benchmarks } from './registry.ts';

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const rest = argv.filter((a) => a !== '--json');
const name = rest[0];
const bench = benchmarks.find((b) => b.name === name);
if (!bench) {
  console.error(`${name ? `unknown benchmark "${name}"\n` : ''}benchmarks:\n${benchmarks.map((b) => `  ${b.name.padEnd(16)} ${b.summary}`).join('\n')}`);
  process.exit(name ? 2 : 0);
}
let result: unknown;
try {
  result = await bench.run(rest.slice(1), { json });
} catch (e) {
  // a bad flag or value: say which, without a stack trace
  if (e instanceof BenchInputError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${bench.name}: ${(e as Error).message}`);
    process.exit(2);
  }
  throw e;
}
if (json) console.log(JSON.stringify(result));
else console.log(inspect(result, { depth: null, breakLength: 120 }));
