/**
 * Every objective trains on the webgpu backend: a few updates from the same state and batches as
 * the cpu backend (dropout and masking bits included), losses and gradient norms compared.
 */
import { objectiveEntry, objectiveNames } from '../../../../objectives/registry.ts';
import { StepRunner } from '../../../../train/loop.ts';
import { QUICK_ADAMW, tinyEncoder, tinyPcfgCorpus } from '../../../objectives/selfEvolution/tinyPcfgCorpus.ts';

const STEPS = 2;
/** ScTD aligns every other update here, so its second program (and the state moving between them) runs too. */
const OPTIONS: Record<string, Record<string, unknown>> = { sctd: { alignEvery: 2, routeStart: 0 } };

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));

export async function objectiveChecks(names: readonly string[] = objectiveNames()): Promise<{ failures: string[]; checked: number; losses: Record<string, number[]> }> {
  const corpus = tinyPcfgCorpus({ sentences: 120, seqLen: 16, batchRows: 4, validationRows: 4 });
  // one layer (ScTD needs two: it drops tokens between the first and the last)
  const encoderFor = (name: string) => tinyEncoder(corpus.vocab, corpus.seqLen, { hidden: 16, layers: name === 'sctd' ? 2 : 1, heads: 2, ffn: 32 });
  // SE's stage-1 output: two hard positions in every block
  const hardPositions = new Map(corpus.train.flatMap((b) => Array.from(b.blockIds ?? [], (id) => [id, Int32Array.from([1, 2])] as const)));
  const failures: string[] = [];
  const losses: Record<string, number[]> = {};
  for (const name of names) {
    const objective = objectiveEntry(name).build(OPTIONS[name] ?? {}, { encoder: encoderFor(name), vocab: corpus.vocab, hardPositions });
    const initial = StepRunner.initialState(objective, 3);
    const options = { objective, schedule: { kind: 'constant', lr: 3e-3, warmupSteps: 0 } as const, adamw: QUICK_ADAMW, seed: 3 };
    const cpu = new StepRunner(options, initial);
    const gpu = new StepRunner({ ...options, backend: 'webgpu' }, initial);
    losses[name] = [];
    try {
      for (let s = 0; s < STEPS; s++) {
        const batch = [corpus.train[s % corpus.train.length]!];
        const want = cpu.step(s, batch);
        const got = await gpu.stepAsync(s, batch);
        losses[name]!.push(got.loss);
        if (!close(got.loss, want.loss)) failures.push(`${name} step ${s}: webgpu loss ${got.loss}, cpu ${want.loss}`);
        if (!close(got.gradNorm, want.gradNorm)) failures.push(`${name} step ${s}: webgpu gradient norm ${got.gradNorm}, cpu ${want.gradNorm}`);
      }
    } catch (e) {
      failures.push(`${name}: ${(e as Error).name}: ${(e as Error).message.slice(0, 2000)}`);
    }
  }
  return { failures, checked: names.length, losses };
}
