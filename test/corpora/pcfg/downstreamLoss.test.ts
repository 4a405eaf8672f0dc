import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusStats, parseRuleText, sampleSentences, sentenceCount } from '../../../corpora/pcfg/index.ts';
import { key } from '../../../prng/index.ts';
import { makeTmpDir } from '../tmpDir.ts';
import { runCli } from '../../helpers/runCli.ts';
import { H09, TWO_LENGTHS } from './twoLengths.ts';

describe('the optimal loss on the downstream subset (4 < length < 32), beside the all-lengths one', () => {
  const g = parseRuleText(TWO_LENGTHS);
  const batch = sampleSentences(g, key(4), 200);
  const lengths = Array.from({ length: sentenceCount(batch) }, (_, s) => batch.offsets[s + 1]! - batch.offsets[s]!);
  const short = lengths.filter((n) => n === 2).length;
  const long = lengths.filter((n) => n === 6).length;

  it('corpusStats: all lengths mix ln 2 and h(0.9) by positions; the downstream subset is h(0.9) alone', () => {
    expect(short + long).toBe(200);
    expect(short).toBeGreaterThan(50);
    expect(long).toBeGreaterThan(50);
    const st = corpusStats(g, batch);
    expect(st.optimalLoss).toBeCloseTo((2 * short * Math.log(2) + 6 * long * H09) / (2 * short + 6 * long), 12);
    expect(st.positions).toBe(2 * short + 6 * long);
    expect(st.downstreamOptimalLoss).toBeCloseTo(H09, 12);
    expect(st.downstreamOptimalLossStdErr).toBeCloseTo(0, 12); // every downstream sentence has the same entropy
    expect(st.downstreamPositions).toBe(6 * long);
    expect(st.tasks.A.sentences).toBe(long);
  });

  it('pcfg stats prints both, in --json and for people', async () => {
    const dir = makeTmpDir();
    const rules = join(dir, 'two.txt');
    writeFileSync(rules, TWO_LENGTHS);
    const j = JSON.parse((await runCli(['pcfg', 'stats', '--rules', rules, '--sentences', '200', '--seed', '4', '--json'])).out);
    const st = corpusStats(g, batch);
    expect(j).toMatchObject({
      optimalLoss: st.optimalLoss, downstreamOptimalLoss: st.downstreamOptimalLoss, downstreamPositions: 6 * long, weights: 'normalised',
    });
    const { code, out } = await runCli(['pcfg', 'stats', '--rules', rules, '--sentences', '200', '--seed', '4']);
    expect(code).toBe(0);
    expect(out).toContain(`optimal single-mask loss: ${st.optimalLoss.toFixed(4)} ±`);
    expect(out).toContain(`optimal loss on the downstream subset (4 < length < 32, as the study's loss script reads it): ${H09.toFixed(4)} ± 0.0000 (${6 * long} positions)`);
  });
});
