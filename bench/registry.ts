import type { Benchmark } from './benchmark.ts';
import { bertMlmStep } from './bertMlmStep.ts';
import { compareBenchmark } from './compare.ts';
import { matmulBenchmark } from './matmul.ts';
import { pcfgBenchmark } from './pcfg.ts';

/** Every benchmark `npm run bench` knows. */
export const benchmarks: readonly Benchmark[] = [
  bertMlmStep,
  compareBenchmark,
  matmulBenchmark,
  pcfgBenchmark,
];
