import { join } from 'node:path';
import { generateGrammar, sampleSentences, sentenceCount, type Grammar, type GrammarShape } from '../../corpora/pcfg/index.ts';
import { buildWordLevelVocab, type Vocab } from '../../corpora/tokenizer/index.ts';
import { sentencesToTokens, terminalTokenIds } from '../../eval/excessLoss.ts';
import { labelledRows } from '../../finetune/labelledRows.ts';
import { rowBatch } from '../../finetune/rowBatch.ts';
import { type EncoderConfig, encoderConfig } from '../../models/config.ts';
import { checkpointConfig, saveCheckpoint } from '../../models/checkpoint/index.ts';
import { mlmObjective } from '../../objectives/mlm.ts';
import { vocabInfo } from '../../objectives/objective.ts';
import { key } from '../../prng/key.ts';
import { permutation } from '../../prng/samplers.ts';
import { StepRunner } from '../../train/loop.ts';
export { runCli } from '../helpers/runCli.ts';

/**
 * A grammar on which PCFG task B is learnable from a few hundred sentences once the words'
 * categories are known: 40 words over 4 preterminals (sentences of 5..8 words), 6-7 classes.
 */
export const TASK_GRAMMAR = { seed: 1, shape: { startRules: 3, levels: 3, nonterminalsPerLevel: 4, binaryRulesPerNonterminal: 4, preterminalRules: 10, terminals: 40 } } as const;

export const taskGrammar = (): Grammar => generateGrammar(key(TASK_GRAMMAR.seed), TASK_GRAMMAR.shape as Partial<GrammarShape>);
export const taskVocab = (g: Grammar): Vocab => buildWordLevelVocab(g.terminals);

/** A 2-layer, 32-wide post-LN BERT with 12 positions (dropout 0.1, as BERT's). */
export const taskEncoderConfig = (v: Vocab, overrides: Partial<EncoderConfig> = {}): EncoderConfig =>
  encoderConfig({ vocabSize: v.size, hidden: 32, layers: 2, heads: 2, ffn: 64, maxPositions: 12, ...overrides });

/**
 * A masked LM pretrained on `steps` updates of 64 sentences of the grammar (through train/'s
 * StepRunner), saved as a pretext checkpoint naming the grammar by seed and shape.
 */
export function pretrainedCheckpoint(dir: string, steps: number): string {
  const g = taskGrammar();
  const v = taskVocab(g);
  const config = taskEncoderConfig(v);
  const L = config.maxPositions;
  const sentences = sampleSentences(g, key(77), 3000, { maxLength: L - 2 });
  const rows = labelledRows({ first: sentencesToTokens(sentences, terminalTokenIds(g, v)) }, new Int32Array(sentenceCount(sentences)), v.specials, L);
  const objective = mlmObjective({ encoder: config, vocab: vocabInfo(v), masking: { kind: 'bernoulli', prob: 0.15 } } as Parameters<typeof mlmObjective>[0]);
  const runner = new StepRunner(
    { objective, schedule: { kind: 'linear', lr: 5e-3, warmupSteps: 20, totalSteps: steps }, adamw: { beta1: 0.9, beta2: 0.98, eps: 1e-6, weightDecay: 0.01 }, seed: 0 },
    StepRunner.initialState(objective, 0),
  );
  const order = permutation(key(5), rows.rows);
  for (let s = 0; s < steps; s++) runner.step(s, [rowBatch(rows, Array.from({ length: 64 }, (_, i) => order[(s * 64 + i) % rows.rows]!), 64)]);
  const out = join(dir, 'pretrained');
  saveCheckpoint(out, {
    config: checkpointConfig({ encoder: config, objective: { name: 'mlm' }, vocab: { tokens: [...v.tokens] }, grammar: { seed: TASK_GRAMMAR.seed, shape: TASK_GRAMMAR.shape } }),
    params: runner.state().params,
    trainer: { step: steps },
  });
  return out;
}

