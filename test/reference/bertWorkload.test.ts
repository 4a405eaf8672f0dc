import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BERT_WORKLOAD_CONFIGS, workloadBatch, workloadFingerprint, workloadParams } from '../../bench/workload/bertWorkload.ts';

const REF = resolve(import.meta.dirname, '../../../shared/bench/workloads/bert_workload.mjs');

describe('pretext generates the standard workload bit for bit (reference generator in ../shared)', () => {
  it('reference generator is present', () => {
    expect(existsSync(REF)).toBe(true);
  });

  for (const name of ['tiny', 'small'] as const) {
    it(`${name}: same fingerprint, parameters and batch`, async () => {
      const ref = await import(REF);
      const c = BERT_WORKLOAD_CONFIGS[name];
      expect(workloadFingerprint(c)).toEqual(ref.fingerprint(ref.CONFIGS[name]));
      const mine = workloadParams(c);
      for (const p of ref.makeParams(ref.CONFIGS[name]) as { name: string; data: Float32Array }[]) {
        expect(Buffer.from(mine.get(p.name)!.data.buffer).equals(Buffer.from(p.data.buffer)), p.name).toBe(true);
      }
      const b = workloadBatch(c);
      const rb = ref.makeBatch(ref.CONFIGS[name]);
      expect(Array.from(b.inputIds)).toEqual(Array.from(rb.inputIds));
      expect(Array.from(b.labels)).toEqual(Array.from(rb.labels));
    });
  }
});
