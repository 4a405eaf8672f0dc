// The seeds' objectives comparison: MLM, ELECTRA, TACO, SE (continuing an MLM run) and ScTD on one
// PCFG corpus at equal training FLOPs. `pretext study run studies/objectives.ts [--scale S]`;
// settings per scale in objectivesScales.ts (studies/README.md gives their times).
import { bars, byScale, compute, curves, defineStudy, excessLoss, finetune, grid, probe, scatter, table } from 'pretext/study';
import { SCALES } from './objectivesScales.ts';

export default defineStudy(({ scale }) => {
  const s = byScale(scale, SCALES);
  const corpus = `../data/studies/pcfg-${s.sentences}`;
  const tasks = s.tasks.flatMap((task) => [probe({ task, ...s.probe }), finetune({ task, ...s.finetune })]);
  const accuracy = s.tasks.flatMap((t) => [`probe${t}_best_accuracy`, `finetune${t}_best_accuracy`]);
  // SE continues the MLM run of its seed (budget in steps: its FLOPs are counted only once stage 1 has scored the corpus)
  const se = s.seeds.map((seed) => ({ preset: 'se-quick', seed, budget: { steps: s.seSteps }, init: { preset: 'pcfg-quick', seed, budget: { flops: s.flops } } }));
  return {
    name: `objectives-${scale}`,
    corpora: { [corpus]: { sentences: s.sentences } },
    base: { corpus, 'train.checkpointEvery': s.checkpointEvery },
    runs: [...grid({ preset: ['pcfg-quick', 'electra-quick', 'taco-quick', 'sctd-quick'], seed: s.seeds, budget: [{ flops: s.flops }] }), ...se],
    evaluate: [excessLoss({ sentences: s.lossSentences, seed: 1 }), ...tasks],
    report: [
      table(['excess_loss', ...accuracy, 'train_seconds', ...s.tasks.map((t) => `task${t}_majority_accuracy`)], 'Equal training FLOPs: excess loss (ELECTRA: its generator), downstream accuracy, wall time'),
      curves({ metric: 'mlm_loss', x: 'flops', title: 'masked-LM loss (ELECTRA: its generator; SE logs none) vs training FLOPs' }),
      ...accuracy.map((metric) => compute({ metric, x: 'flops', by: 'preset' })),
      scatter({ x: 'excess_loss', y: accuracy[0]! }),
      ...[...accuracy, 'excess_loss', 'train_seconds'].map((metric) => bars({ metric })),
    ],
  };
});
