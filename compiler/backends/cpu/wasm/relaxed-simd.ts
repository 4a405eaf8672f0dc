// Feature detection for relaxed SIMD (f32x4.relaxed_madd). Node 20 (V8 11.3) has it behind
// --experimental-wasm-relaxed-simd; the flag can be switched on at run time before compiling, and
// a module compiled with it can be posted to worker threads and instantiated there. Browsers that
// have it ship it on.
import { cpuPlatform } from '../platform.ts';

// (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)
const PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

let cached: boolean | undefined;

/** True when modules using relaxed SIMD validate here (enabling V8's flag if needed). */
export function relaxedSimdAvailable(): boolean {
  if (cached !== undefined) return cached;
  if (!WebAssembly.validate(PROBE)) {
    cpuPlatform.enableRelaxedSimd();
  }
  cached = WebAssembly.validate(PROBE);
  return cached;
}
