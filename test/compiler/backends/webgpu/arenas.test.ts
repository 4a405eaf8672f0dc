import { describe, expect, it } from 'vitest';
import { compileWorkloadStep } from '../../../../bench/bertMlmStep.ts';
import { BERT_WORKLOAD_CONFIGS } from '../../../../bench/workload/bertWorkload.ts';
import { splitArenas } from '../../../../compiler/backends/webgpu/arenas.ts';
import { wordPlan } from '../../../../compiler/backends/webgpu/build.ts';
import { WebgpuLimitError } from '../../../../compiler/backends/webgpu/errors.ts';
import { traceStep } from '../../../../compiler/step.ts';
import { dawnSuite } from './dawnChild.ts';

describe('webgpu memory over several arenas', () => {
  it('random graphs, value-and-grad programs and a training step split over several arenas equal the one-arena runs bit for bit', () => {
    const r = dawnSuite('arenas');
    expect(r.failures).toEqual([]);
    expect(r.checked).toBe(13);
  });

  it('plans bert-mlm-step base (5.6 GiB) into arenas within a 2 GiB binding / 4 GiB buffer; 128 MiB is too small for its logits', () => {
    const w = compileWorkloadStep(BERT_WORKLOAD_CONFIGS.base, 'webgpu'); // no device is touched before a run
    const st = traceStep(w.stepFn as never, w.state as never, w.inputsFor(0) as never);
    const plan = wordPlan(st.fused, st.aliases);
    expect(plan.peakBytes).toBeGreaterThan(2 ** 32);
    const layout = splitArenas(plan, 2 ** 31);
    expect(layout.bytes.length).toBeGreaterThan(1);
    for (const b of layout.bytes) expect(b).toBeLessThanOrEqual(2 ** 31);
    plan.offsets.forEach((o, b) => {
      const a = layout.arenaOf[b]!;
      expect(o >= layout.base[a]! && o + plan.sizes[b]! <= layout.base[a]! + layout.bytes[a]!).toBe(true);
    });
    // the logits buffer (B·T·V floats, 500 MB) alone exceeds WebGPU's default 128 MiB binding
    expect(() => splitArenas(plan, 2 ** 27)).toThrow(WebgpuLimitError);
  }, 60_000);
});
