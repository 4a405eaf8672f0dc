import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pcfgGenerateCommand } from '../cli/commands/pcfgGenerate.ts';
import { MANIFEST_FILE } from '../corpora/dataset/index.ts';
import type { Study } from './defineStudy.ts';
import { StudyError } from './errors.ts';
import { readJson } from './runFiles.ts';

/** A PCFG corpus as `pretext pcfg generate` makes it (a random grammar with the study's shape). */
export interface PcfgCorpusRecipe {
  /** --grammar-seed (default 0). */
  readonly grammarSeed?: number;
  /** --sentences: training sentences. */
  readonly sentences: number;
  /** --valid-sentences (default pcfg generate's: 1% of the training sentences). */
  readonly validSentences?: number;
  /** --seed: sampling seed (default 1). */
  readonly seed?: number;
  /** --seq-len: row length (default 20, the loss script's and the probe's length). */
  readonly seqLen?: number;
}

interface Provenance {
  readonly grammarSource?: { readonly grammarSeed?: number };
  readonly seed?: number;
  readonly sentences?: number;
  readonly validSentences?: number;
}

/**
 * Generates each of the study's corpora that is missing (a folder without a manifest: nothing, or
 * a generation cut short). One already there must have been made with the recipe's settings: a
 * difference is an error naming the folder and the setting (delete the folder to regenerate it).
 */
export async function prepareCorpora(study: Study, baseDir: string, log: (line: string) => void = () => {}): Promise<void> {
  for (const [dir, recipe] of Object.entries(study.corpora ?? {})) {
    const abs = isAbsolute(dir) ? dir : resolve(baseDir, dir);
    const want = { grammarSeed: recipe.grammarSeed ?? 0, seed: recipe.seed ?? 1, seqLen: recipe.seqLen ?? 20, sentences: recipe.sentences, validSentences: recipe.validSentences };
    const manifestFile = join(abs, MANIFEST_FILE);
    if (existsSync(manifestFile)) {
      const m = readJson<{ seqLen?: number; provenance?: Provenance }>(manifestFile);
      const have = { grammarSeed: m.provenance?.grammarSource?.grammarSeed, seed: m.provenance?.seed, seqLen: m.seqLen, sentences: m.provenance?.sentences, validSentences: want.validSentences === undefined ? undefined : m.provenance?.validSentences };
      for (const k of Object.keys(want) as (keyof typeof want)[]) {
        if (have[k] !== want[k]) throw new StudyError(`study ${study.name}: corpus ${abs} was made with ${k} ${JSON.stringify(have[k])}, the study's corpora say ${JSON.stringify(want[k])}: delete the folder to regenerate it`, { file: manifestFile, field: k });
      }
      continue;
    }
    log(`study ${study.name}: generating the corpus ${abs} (${recipe.sentences} sentences, grammar seed ${want.grammarSeed})`);
    await pcfgGenerateCommand.run({
      out: abs, 'grammar-seed': String(want.grammarSeed), sentences: String(want.sentences), seed: String(want.seed), 'seq-len': String(want.seqLen),
      ...(want.validSentences !== undefined ? { 'valid-sentences': String(want.validSentences) } : {}),
    }, []);
  }
}
