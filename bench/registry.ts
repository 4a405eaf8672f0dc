import type { Benchmark } from './benchmark.ts';
import { matmulBenchmark } from './matmul.ts';

/** Every benchmark `npm run bench` knows. */
export const benchmarks: readonly Benchmark[] = [
  matmulBenchmark,
];
