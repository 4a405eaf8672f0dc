import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { excessLoss } from '../../eval/excessLoss.ts';
import { loadCheckpointMlm } from '../../eval/checkpointModel.ts';
import { makeTmpDir } from '../corpora/tmpDir.ts';
import { PredictionInputError } from '../../web/session/predictions.ts';
import { WebSettingsError, trainConfigOf, type WebSettings } from '../../web/session/settings.ts';
import { TrainingSession } from '../../web/session/trainingSession.ts';
import { writeCheckpointFolder } from './checkpointFolder.ts';

const dir = makeTmpDir('pretext-web-session-');
const base: WebSettings = { objective: 'mlm', size: 'tiny', grammarSeed: 2, seed: 5, sentences: 96, seqLen: 16, batchSize: 8, steps: 3, lr: 3e-3 };

async function cli(args: string[]): Promise<number> {
  const quiet = [vi.spyOn(console, 'log').mockImplementation(() => undefined), vi.spyOn(console, 'error').mockImplementation(() => undefined)];
  try {
    return await main(args);
  } finally {
    for (const q of quiet) q.mockRestore();
  }
}

describe("the page's training session (web/session)", () => {
  it.each(['mlm', 'electra', 'taco'] as const)('%s: losses equal `pretext pcfg generate` + `pretext train --config trainConfigOf(...)`, bit for bit', async (objective) => {
    const s = { ...base, objective };
    const corpus = join(dir, `corpus-${objective}`);
    expect(await cli(['pcfg', 'generate', '--out', corpus, '--grammar-seed', String(s.grammarSeed), '--seed', String(s.seed), '--sentences', String(s.sentences),
      '--seq-len', String(s.seqLen), '--valid-sentences', '0'])).toBe(0);
    const config = join(dir, `${objective}.json`);
    writeFileSync(config, JSON.stringify(trainConfigOf(s)));
    const out = join(dir, `run-${objective}`);
    expect(await cli(['train', '--config', config, '--corpus', corpus, '--out', out, '--no-progress'])).toBe(0);
    const node = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { loss?: number }).flatMap((l) => (l.loss !== undefined ? [l.loss] : []));
    const session = new TrainingSession(s);
    const page = Array.from({ length: s.steps }, () => session.trainStep().loss);
    expect(node).toHaveLength(s.steps);
    expect(page).toEqual(node);
  }, 60_000);

  it('its checkpoint files load as a checkpoint folder (pretext eval) and score what the session scores', () => {
    const session = new TrainingSession({ ...base, objective: 'taco' });
    session.trainStep();
    const folder = join(dir, 'download');
    mkdirSync(folder);
    writeCheckpointFolder(folder, session.checkpoint());
    const ck = loadCheckpointMlm(folder);
    const reloaded = excessLoss(ck.view, { grammar: session.corpus.grammar, vocab: ck.vocab, sentences: session.corpus.held, seqLen: base.seqLen });
    expect(ck.vocab.tokens).toEqual(session.corpus.vocab.tokens);
    expect(reloaded.loss).toBe(session.excess().loss);
  }, 30_000);

  it('bad settings and a sentence without a mask are typed errors naming what is wrong', () => {
    expect(() => new TrainingSession({ ...base, batchSize: 500 })).toThrow(WebSettingsError);
    expect(() => new TrainingSession({ ...base, objective: 'sctd' as never })).toThrow(/objective = "sctd": one of mlm, electra, taco/);
    const session = new TrainingSession(base);
    expect(() => session.predict('no mask here')).toThrow(PredictionInputError);
    const top = session.predict('_ ' + session.corpus.grammar.terminals[0]!, 3);
    expect(top).toHaveLength(3);
    expect(top[0]!.prob).toBeGreaterThanOrEqual(top[2]!.prob);
  }, 30_000);
});
