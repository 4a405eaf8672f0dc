// A plain-JavaScript blocked matmul, the yardstick the wasm GEMM has to beat (bench/matmul.ts).
// C[m×n] = A[m×k] · B[k×n], row-major, contiguous. i-p-j order with a k block so the B rows in use
// stay in cache and the inner loop is a unit-stride axpy V8 optimises well (no SIMD in JS).

export function jsBlockedMatmul(A: Float32Array, B: Float32Array, C: Float32Array, m: number, n: number, k: number): void {
  const KB = 128;
  const JB = 512;
  C.fill(0, 0, m * n);
  for (let j0 = 0; j0 < n; j0 += JB) {
    const j1 = Math.min(n, j0 + JB);
    for (let p0 = 0; p0 < k; p0 += KB) {
      const p1 = Math.min(k, p0 + KB);
      for (let i = 0; i < m; i++) {
        const ci = i * n;
        const ai = i * k;
        for (let p = p0; p < p1; p++) {
          const a = A[ai + p]!;
          const bp = p * n;
          for (let j = j0; j < j1; j++) C[ci + j]! += a * B[bp + j]!;
        }
      }
    }
  }
}
