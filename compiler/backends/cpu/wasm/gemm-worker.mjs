// Worker-side GEMM wrapper in plain JS (no TypeScript loader needed in a worker thread).
// The main thread posts the compiled module (compileGemmModule(), a WebAssembly.Module, is
// cloneable) and the shared arena; the worker instantiates it and calls gemm with GemmCall-shaped
// objects or with the raw export. Arguments are NOT validated here: validate on the main thread
// (validateGemmCall) before handing calls to workers.

export const FLAG_TRANS_A = 1;
export const FLAG_TRANS_B = 2;
export const FLAG_ACCUMULATE = 4;

/** Order of the raw export's 18 arguments (flags = transA | transB << 1 | accumulate << 2). */
export const GEMM_RAW_ARGS = ['m', 'n', 'k', 'a', 'b', 'c', 'lda', 'ldb', 'ldc', 'flags', 'batch',
  'strideA', 'strideB', 'strideC', 'rowStart', 'rowEnd', 'scratch', 'scratchBytes'];

export function instantiateGemmWorker(module, memory) {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const raw = exports.gemm;
  return {
    raw,
    gemm(c) {
      const flags = (c.transA ? FLAG_TRANS_A : 0) | (c.transB ? FLAG_TRANS_B : 0) | (c.accumulate ? FLAG_ACCUMULATE : 0);
      const status = raw(c.m, c.n, c.k, c.a, c.b, c.c, c.lda, c.ldb, c.ldc, flags, c.batch,
        c.strideA, c.strideB, c.strideC, c.rowStart, c.rowEnd, c.scratch, Math.min(c.scratchBytes, 0x7fffffff));
      if (status !== 0) throw new Error(`gemm: status ${status} (scratchBytes ${c.scratchBytes} too small)`);
    },
  };
}
