import { generateGrammar, sampleSentences, type Grammar } from '../../corpora/pcfg/index.ts';
import { buildWordLevelVocab, type Vocab } from '../../corpora/tokenizer/index.ts';
import { type EncoderConfig, encoderConfig } from '../../models/config.ts';
import { initEncoder, initMlmHead } from '../../models/init.ts';
import { key } from '../../prng/key.ts';
import type { HostMlmView } from '../../eval/mlmView.ts';

/** A small generated grammar: 3 levels (sentences of 2..8 words), 16 words. */
export function tinyGrammar(seed = 1): Grammar {
  return generateGrammar(key(seed), { startRules: 3, levels: 3, nonterminalsPerLevel: 3, binaryRulesPerNonterminal: 3, preterminalRules: 6, terminals: 16 });
}

export const tinyVocab = (g: Grammar): Vocab => buildWordLevelVocab(g.terminals);

export function tinyEncoderConfig(vocab: Vocab, overrides: Partial<EncoderConfig> = {}): EncoderConfig {
  return encoderConfig({ vocabSize: vocab.size, hidden: 8, layers: 1, heads: 2, ffn: 16, maxPositions: 12, ...overrides });
}

/** A freshly initialised masked LM as a view. */
export function tinyView(config: EncoderConfig, seed = 3): HostMlmView {
  return { encoder: initEncoder(config, key(seed)), mlmHead: initMlmHead(config, key(seed + 1)), config };
}

export const tinySentences = (g: Grammar, n: number, seed = 9) => sampleSentences(g, key(seed), n, { maxLength: 10 });
