import type { Benchmark } from './benchmark.ts';

/** Every benchmark `npm run bench` knows. */
export const benchmarks: readonly Benchmark[] = [];
