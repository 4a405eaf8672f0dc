import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../../../../compiler/backends/cpu/wasm/pool.ts';
import { WorkerPoolError } from '../../../../../compiler/backends/cpu/wasm/errors.ts';
import { PretextError } from '../../../../../util/errors.ts';

describe('WorkerPool', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
  const pool = new WorkerPool({ memory, threads: 3, spinMicros: 20 });
  afterAll(() => pool.close());

  it('runs a JS kernel on every thread with its own arguments, in the shared memory', () => {
    const id = pool.registerJs(`(memory) => (args, thread, threads) => {
      const f = new Float64Array(memory.buffer);
      f[thread] = args[0] * 10 + thread + threads * 100;
    }`);
    for (let t = 0; t < 3; t++) pool.args(t)[0] = t + 1;
    pool.run(id);
    expect([...new Float64Array(memory.buffer, 0, 3)]).toEqual([310, 321, 332]);
    new Float64Array(memory.buffer).fill(0, 0, 3);
    pool.run(id, 2);
    expect([...new Float64Array(memory.buffer, 0, 3)]).toEqual([210, 221, 0]);
  });

  it('runs many back-to-back jobs (spinning and sleeping workers) without losing one', () => {
    const id = pool.registerJs(`(memory) => (args, thread) => { Atomics.add(new Int32Array(memory.buffer), 16 + thread, 1); }`);
    const counts = new Int32Array(memory.buffer, 64, 3);
    counts.fill(0);
    for (let i = 0; i < 2000; i++) {
      pool.run(id, 1 + (i % 3));
      if (i % 500 === 0) { const until = Date.now() + 5; while (Date.now() < until); } // let workers fall asleep
    }
    // Threads t runs in jobs with threads > t: 2000, 1333, 667 jobs.
    expect([...counts]).toEqual([2000, 1333, 666]);
  });

  it('reports a failing worker as a WorkerPoolError and keeps working', () => {
    const bad = pool.registerJs(`(memory) => (args, thread) => { if (thread === 2) throw new Error('boom in 2'); }`);
    let err: unknown;
    try { pool.run(bad); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(WorkerPoolError);
    expect(err).toBeInstanceOf(PretextError);
    expect((err as Error).message).toContain('boom in 2');
    const status = pool.registerJs(`() => (args, thread) => thread === 1 ? 7 : 0`);
    expect(() => pool.run(status)).toThrow(/status 7/);
    const ok = pool.registerJs(`() => () => {}`);
    expect(() => pool.run(ok)).not.toThrow();
  });

  it('rejects unknown kernels and bad thread counts by name', () => {
    expect(() => pool.run(999)).toThrow(WorkerPoolError);
    expect(() => pool.run(1, 4)).toThrow(/threads/);
    expect(() => new WorkerPool({ memory: new WebAssembly.Memory({ initial: 1 }) })).toThrow(/shared/);
  });

  it('instantiates wasm kernels in the workers on the same memory', () => {
    // (func (export "put") (param i32 i32) (result i32) local.get 0 local.get 1 i32.store local.get 0 ... ) -> 0
    const bytes = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f,
      0x02, 0x10, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x03, 0x00, 0x10,
      0x03, 0x02, 0x01, 0x00,
      0x07, 0x07, 0x01, 0x03, 0x70, 0x75, 0x74, 0x00, 0x00,
      0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x36, 0x02, 0x00, 0x41, 0x00, 0x0b,
    ]);
    const id = pool.registerWasm(new WebAssembly.Module(bytes), 'put', 2);
    for (let t = 0; t < 3; t++) { pool.args(t)[0] = 256 + 4 * t; pool.args(t)[1] = 40 + t; }
    pool.run(id);
    expect([...new Int32Array(memory.buffer, 256, 3)]).toEqual([40, 41, 42]);
    // threadOffset: slot 0 gets thread · args[2] added on each thread.
    const shifted = pool.registerWasm(new WebAssembly.Module(bytes), 'put', 2, { slot: 0, strideSlot: 2 });
    for (let t = 0; t < 3; t++) { pool.args(t)[0] = 512; pool.args(t)[1] = 7 + t; pool.args(t)[2] = 8; }
    pool.run(shifted);
    expect([...new Int32Array(memory.buffer, 512, 5)]).toEqual([7, 0, 8, 0, 9]);
  });

  it('runParts runs every part exactly once, spread over the threads that are free', () => {
    const id = pool.registerJs(`(memory) => (args, thread) => {
      const i32 = new Int32Array(memory.buffer);
      Atomics.add(i32, 1024 + args[0], 1);          // count per part
      Atomics.add(i32, 1024 + 64 + thread, 1);      // parts per thread
      const until = Date.now() + (thread === 1 ? 3 : 0); while (Date.now() < until);  // a slow thread
    }`);
    const counts = new Int32Array(memory.buffer, 4096, 64 + 3);
    for (const nParts of [1, 5, 24, 64]) {
      counts.fill(0);
      for (let i = 0; i < nParts; i++) pool.part(i)[0] = i;
      pool.runParts(id, nParts);
      expect([...counts.subarray(0, 64)]).toEqual(Array.from({ length: 64 }, (_, i) => (i < nParts ? 1 : 0)));
      expect(counts[64]! + counts[65]! + counts[66]!).toBe(nParts);
      if (nParts >= 24) expect(counts[65]!).toBeLessThan(counts[64]! + counts[66]!); // the slow thread did less
    }
    expect(() => pool.runParts(id, 65)).toThrow(/nParts/);
  });
});

describe('WorkerPool lifecycle', () => {
  it('close() stops the workers; the pool then refuses work', async () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
    const pool = new WorkerPool({ memory, threads: 2 });
    const id = pool.registerJs('() => () => {}');
    pool.run(id);
    await pool.close();
    await pool.close();
    expect(() => pool.run(id)).toThrow(/after close/);
  });
});

describe('gemm-worker.mjs (plain-JS worker wrapper)', () => {
  it('computes in a worker thread, on the shared arena, what the main thread computes', async () => {
    const { Worker } = await import('node:worker_threads');
    const { compileGemmModule, gemmScratchBytes, instantiateGemm } = await import('../../../../../compiler/backends/cpu/wasm/gemm.ts');
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 16, shared: true });
    const f = new Float32Array(memory.buffer);
    for (let i = 0; i < 2 * 40 * 30; i++) f[i] = Math.sin(i);
    const shape = { m: 40, n: 30, k: 30, transA: false, transB: true };
    const call = { ...shape, a: 0, b: 4800, c: 9600, lda: 30, ldb: 30, ldc: 30, batch: 1, strideA: 0, strideB: 0, strideC: 0,
      accumulate: false, rowStart: 0, rowEnd: 40, scratch: 16384, scratchBytes: gemmScratchBytes(shape) };
    const url = new URL('../../../../../compiler/backends/cpu/wasm/gemm-worker.mjs', import.meta.url).href;
    const worker = new Worker(`
      const { parentPort, workerData } = require('node:worker_threads');
      import(${JSON.stringify(url)}).then(({ instantiateGemmWorker }) => {
        instantiateGemmWorker(workerData.module, workerData.memory).gemm(workerData.call);
        parentPort.postMessage('done');
      });`, { eval: true, workerData: { module: compileGemmModule(), memory, call } });
    await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
    await worker.terminate();
    const fromWorker = f.slice(call.c / 4, call.c / 4 + 40 * 30);
    f.fill(0, call.c / 4, call.c / 4 + 40 * 30);
    instantiateGemm(memory).gemm(call);
    expect(f.slice(call.c / 4, call.c / 4 + 40 * 30)).toEqual(fromWorker);
    expect(fromWorker.some((v) => v !== 0)).toBe(true);
  });
});
