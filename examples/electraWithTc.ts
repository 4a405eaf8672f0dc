/**
 * ELECTRA with a token-level contrastive term on the discriminator (objectives/composed/electraTc),
 * against plain ELECTRA, on a small PCFG corpus.
 *
 *   npx tsx examples/electraWithTc.ts [steps=100] [tcWeight=1]
 *
 * Prints validation metrics of both runs every 25 steps and the mean step time.
 */
import { batchTexts, generateGrammar, sampleSentences } from '../corpora/pcfg/index.ts';
import { buildWordLevelVocab } from '../corpora/tokenizer/index.ts';
import { encoderConfig } from '../models/config.ts';
import { electraModelConfig, electraObjective } from '../objectives/electra/index.ts';
import { electraTcObjective } from '../objectives/composed/electraTc.ts';
import { type AnyObjective, type TokenBatch, vocabInfo } from '../objectives/objective.ts';
import { key } from '../prng/index.ts';
import { StepRunner, evaluateObjective } from '../train/loop.ts';

const steps = Number(process.argv[2] ?? 100);
const tcWeight = Number(process.argv[3] ?? 1);
const T = 24;
const ROWS = 16;

// corpus: sentences of a random grammar, one `[CLS] words [SEP]` row each, padded to T
const grammar = generateGrammar(key(1));
const texts = batchTexts(grammar, sampleSentences(grammar, key(2), 4000, { maxLength: T - 2 }));
const words = buildWordLevelVocab(texts.flatMap((t) => t.split(' ')));
const vocab = vocabInfo(words);
function rows(first: number, count: number): TokenBatch {
  const inputIds = new Int32Array(count * T).fill(vocab.pad);
  const attentionMask = new Uint8Array(count * T);
  for (let r = 0; r < count; r++) {
    const ids = [vocab.cls, ...texts[first + r]!.split(' ').map((w) => words.idOf(w)!), vocab.sep];
    inputIds.set(ids, r * T);
    attentionMask.fill(1, r * T, r * T + ids.length);
  }
  return { inputIds, attentionMask, rows: count, seqLen: T };
}
const validation = [rows(3000, 64), rows(3064, 64)];
const trainRows = 2900;

// ELECTRA-Small in miniature: discriminator 64 wide, generator a quarter, embeddings 32 wide
const discriminator = encoderConfig({ vocabSize: vocab.size, hidden: 64, layers: 2, heads: 4, ffn: 256, maxPositions: T });
const electra = { model: electraModelConfig({ discriminator, generatorSize: 0.25, embeddingSize: 32 }), vocab };
const runs: [string, AnyObjective][] = [
  ['electra', electraObjective(electra)],
  [`electra+tc(w=${tcWeight})`, electraTcObjective({ electra, tc: { weight: tcWeight } })],
];

for (const [name, objective] of runs) {
  const runner = new StepRunner(
    { objective, schedule: { kind: 'linear', lr: 2e-3, warmupSteps: Math.ceil(steps / 10), totalSteps: steps }, adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }, clipNorm: 1, seed: 0 },
    StepRunner.initialState(objective, 0),
  );
  let ms = 0;
  for (let step = 0; step <= steps; step++) {
    if (step % 25 === 0 || step === steps) {
      const v = evaluateObjective(objective, runner.state(), validation, 99);
      const m = Object.entries(v.metrics).map(([k, x]) => `${k} ${x.toFixed(3)}`).join('  ');
      console.log(`${name.padEnd(18)} step ${String(step).padStart(4)}  valid loss ${v.loss.toFixed(3)}  ${m}`);
    }
    if (step === steps) break;
    const log = runner.step(step, [rows((step * ROWS) % (trainRows - ROWS), ROWS)]);
    if (step > 0) ms += log.ms; // step 0 includes compilation
  }
  console.log(`${name}: ${(ms / Math.max(1, steps - 1)).toFixed(1)} ms/step (batch ${ROWS} x ${T})\n`);
}
