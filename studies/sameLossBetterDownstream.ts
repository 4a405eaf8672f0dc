// The PCFG study's three ways to (near-)equal pretraining loss with different downstream results
// (spec 5e): training on, model size, and the algorithm (here: the batch size, SGD's noise);
// with the Hessian trace, and enlarge (spec 5b8) to compare traces at one width.
// `pretext study run studies/sameLossBetterDownstream.ts [--scale quick|full]`.
import { bars, byScale, concat, curves, defineStudy, excessLoss, finetune, grid, hessianTrace, probe, scatter, table, zip } from 'pretext/study';
import { enlarged } from './enlarged.ts';
import { SCALES } from './sameLossScales.ts';

export default defineStudy(({ scale }) => {
  const s = byScale(scale, SCALES);
  const corpus = `../data/studies/pcfg-${s.sentences}`;
  const downstream = [hessianTrace(s.hessian), probe({ task: 'B', ...s.probe }), finetune({ task: 'B', ...s.finetune })];
  const measures = [excessLoss({ sentences: s.lossSentences, seed: 1 }), ...downstream];
  const near = (y: string) => scatter({ x: 'hessian_trace', y, nearBest: { metric: 'excess_loss', within: s.nearLoss } });
  const enlargedMetrics = ['enlarged_excess_loss', 'enlarged_hessian_trace', 'enlarged_probeB_best_accuracy', 'enlarged_finetuneB_best_accuracy'];
  return {
    name: `same-loss-${scale}`,
    corpora: { [corpus]: { sentences: s.sentences } },
    base: { corpus, preset: 'pcfg-quick', 'train.checkpointEvery': s.checkpointEvery },
    runs: concat(
      grid({ budget: s.steps.map((steps) => ({ steps })), seed: s.seeds }), // 1. training on: 1, 2, 4 times the updates
      grid({ model: zip({ hidden: [32, 128], heads: [2, 8], ffn: [128, 512] }), budget: [{ steps: s.steps[1] }], seed: s.seeds }), // 2. width 32 / 128 (64: the base)
      grid({ 'train.accumulate': [1, 4], budget: [{ tokens: s.steps[1] * 64 * 20 }], seed: s.seeds }), // 3. batch 32 / 128 rows at the base's tokens (64 rows)
    ),
    // the 32-wide models widened to 64 (the base's width): the same loss, a trace comparable with the 64-wide runs'
    evaluate: [...measures, enlarged({ factor: 2, hidden: 32, evaluate: measures })],
    report: [
      table(['excess_loss', 'hessian_trace', 'probeB_best_accuracy', 'finetuneB_best_accuracy', 'taskB_majority_accuracy', ...enlargedMetrics]),
      curves({ metric: 'loss', x: 'step' }),
      scatter({ x: 'excess_loss', y: 'probeB_best_accuracy' }),
      near('probeB_best_accuracy'),
      near('finetuneB_best_accuracy'),
      ...['hessian_trace', 'probeB_best_accuracy', 'finetuneB_best_accuracy'].map((metric) => bars({ metric })),
    ],
  };
});
