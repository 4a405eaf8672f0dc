import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import { HostTensor } from '../../../dsl/host.ts';
import type { Concrete } from '../../../dsl/trace.ts';
import type { MlmModelParams } from '../../../models/params.ts';
import { mlmModelLogits } from '../../../objectives/mlm.ts';
import { batchToRowBlock, createDatasetWriter, openDataset, sequenceFields } from '../../../corpora/dataset/index.ts';
import { batchTensor, type TokenBatch } from '../../../objectives/objective.ts';
import {
  HardTokenFileError, SelfEvolutionError, datasetBlockBatches, loadHardTokens, mergeHardTokenMaps, saveHardTokens, selfEvolutionObjective, selfQuestion,
} from '../../../objectives/selfEvolution/index.ts';
import { key } from '../../../prng/key.ts';
import { tinyEncoder, tinyPcfgCorpus } from './tinyPcfgCorpus.ts';

const corpus = tinyPcfgCorpus({ sentences: 60, seqLen: 16, batchRows: 4, validationRows: 4 });
const config = tinyEncoder(corpus.vocab, corpus.seqLen, { hidden: 16, layers: 1, ffn: 32 });
const batches = corpus.train.slice(0, 3);
const initial = () => selfEvolutionObjective({ encoder: config, vocab: corpus.vocab, hardPositions: new Map() }).init(key(11)).params;

const snapshot = (params: unknown) => p.flatten<HostTensor>(params, (x) => x instanceof HostTensor).leaves.map((t) => Array.from(t.data));

/** NLL at every position from the float64 interpreter (independent of the compiled stage-1 program). */
function referenceNll(params: Concrete<MlmModelParams>, b: TokenBatch): number[] {
  const logits = p.evaluate(
    (pr: MlmModelParams, ids: p.Tensor<['batch', 'seq']>) => mlmModelLogits(pr, { inputIds: ids }, config).logits,
    params, batchTensor(b.inputIds, b.rows, b.seqLen, 'i32'),
  ).data;
  const V = config.vocabSize;
  return Array.from(b.inputIds, (id, i) => {
    const row = Array.from({ length: V }, (_, v) => logits[i * V + v]!);
    const m = Math.max(...row);
    return m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0)) - row[id]!;
  });
}

const mapEntries = (m: ReadonlyMap<number, Int32Array>) => [...m.entries()].map(([k, v]) => [k, Array.from(v)]).sort((a, b) => (a[0] as number) - (b[0] as number));

/** Initial parameters with the cls logit bias at 12: p(cls) ≈ e^12 / (e^12 + V), NLL ≈ 1e-3 where the token is cls, > 10 nats elsewhere. */
function boostedParams(): Concrete<MlmModelParams> {
  const params = initial();
  const bias = Float32Array.from(params.mlmHead.bias.data);
  bias[corpus.vocab.cls] = 12;
  return { ...params, mlmHead: { ...params.mlmHead, bias: new HostTensor(['vocab'], [config.vocabSize], 'f32', bias) } } as Concrete<MlmModelParams>;
}

/** Under boostedParams and the default threshold: every real position whose token is not cls. */
function expectedForBoosted(bs: readonly TokenBatch[]): Map<number, Int32Array> {
  const out = new Map<number, Int32Array>();
  for (const b of bs) {
    for (let r = 0; r < b.rows; r++) {
      const want: number[] = [];
      for (let t = 0; t < b.seqLen; t++) if (b.attentionMask[r * b.seqLen + t] && b.inputIds[r * b.seqLen + t] !== corpus.vocab.cls) want.push(t);
      out.set(b.blockIds![r]!, Int32Array.from(want));
    }
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'pretext-se-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SE stage 1: self-questioning (spec 1f 1-2)', () => {
  it('never changes the parameters, and runs in eval mode: H and its NLL summary are those of the model with dropout switched off', () => {
    const params = initial();
    const before = snapshot(params);
    const a = selfQuestion(params, config, batches, { threshold: 5 });
    expect(snapshot(params)).toEqual(before);
    expect(config.dropout).toBeGreaterThan(0);
    const still = selfQuestion(params, { ...config, dropout: 0, attentionDropout: 0 }, batches, { threshold: 5 });
    expect(mapEntries(a.hard)).toEqual(mapEntries(still.hard));
    expect(a.summary).toEqual(still.summary); // lossBits: the mean NLL, bit for bit
  });

  it('t ∈ H ⇔ NLL_t > threshold at real tokens; pads are never hard (threshold at the median NLL)', () => {
    const params = initial();
    const nll = batches.map((b) => referenceNll(params, b));
    const real = batches.flatMap((b, i) => nll[i]!.filter((_, j) => b.attentionMask[j]));
    const threshold = [...real].sort((x, y) => x - y)[Math.floor(real.length / 2)]!;
    const { hard, summary } = selfQuestion(params, config, batches, { threshold });
    let hardCount = 0;
    let decided = 0;
    batches.forEach((b, bi) => {
      for (let r = 0; r < b.rows; r++) {
        const H = new Set(hard.get(b.blockIds![r]!)!);
        hardCount += H.size;
        const list = Array.from(hard.get(b.blockIds![r]!)!);
        expect(list).toEqual([...list].sort((x, y) => x - y));
        for (let t = 0; t < b.seqLen; t++) {
          const i = r * b.seqLen + t;
          if (!b.attentionMask[i]) {
            expect(H.has(t)).toBe(false);
            continue;
          }
          const v = nll[bi]![i]!;
          if (Math.abs(v - threshold) < 1e-3) continue; // f32 program vs f64 reference
          decided++;
          expect(H.has(t), `block ${b.blockIds![r]} position ${t}: NLL ${v} vs ${threshold}`).toBe(v > threshold);
        }
      }
    });
    expect(decided).toBeGreaterThan(real.length * 0.8);
    expect(summary.hardTokens).toBe(hardCount);
    expect(summary.tokens).toBe(real.length);
    expect(summary.hardFraction).toBeGreaterThan(0.3);
    expect(summary.hardFraction).toBeLessThan(0.7);
    expect(summary.lossBits).toBeCloseTo(real.reduce((a, x) => a + x, 0) / real.length / Math.LN2, 3);
    expect(summary.ratioHistogram.reduce((a, x) => a + x, 0)).toBe(summary.blocks);
  });

  it('default threshold 0.1 nats: a token the model reconstructs with p ≈ 0.999 is not hard, the rest are', () => {
    const { hard } = selfQuestion(boostedParams(), config, batches);
    expect(batches.some((b) => b.attentionMask.includes(0))).toBe(true); // pads present (their NLL is > 10 here)
    expect(mapEntries(hard)).toEqual(mapEntries(expectedForBoosted(batches)));
  });

  it('runs over a sharded dataset split, every block once, as over the same rows in memory', () => {
    const params = boostedParams();
    const writer = createDatasetWriter(join(dir, 'ds'), { seqLen: corpus.seqLen, fields: sequenceFields(corpus.seqLen), rowsPerShard: 7 });
    writer.append(batchToRowBlock(corpus.all));
    writer.finish();
    const ds = openDataset(join(dir, 'ds'));
    try {
      const { hard } = selfQuestion(params, config, datasetBlockBatches(ds.split(), corpus.seqLen, 5));
      expect(hard.size).toBe(corpus.all.rows);
      expect(mapEntries(hard)).toEqual(mapEntries(selfQuestion(params, config, [corpus.all]).hard));
      expect(mapEntries(hard)).toEqual(mapEntries(expectedForBoosted([corpus.all])));
    } finally {
      ds.close();
    }
  });

  it('rejects batches without block ids, repeated block ids and a bad threshold', () => {
    const params = initial();
    const { blockIds: _, ...noIds } = batches[0]!;
    expect(() => selfQuestion(params, config, [noIds])).toThrow(SelfEvolutionError);
    expect(() => selfQuestion(params, config, [batches[0]!, batches[0]!])).toThrow(/block id \d+ occurs twice/);
    expect(() => selfQuestion(params, config, batches, { threshold: Number.NaN })).toThrow(/threshold/);
  });
});

describe('hard-token map files', () => {
  const map = new Map<number, Int32Array>([[7, Int32Array.of(0, 3, 9)], [2, Int32Array.of()], [40, Int32Array.of(5)]]);

  it('round-trips through an atomic write; merge is a union where later maps win', () => {
    const path = join(dir, 'hard.json');
    saveHardTokens(path, map, { threshold: 0.1 });
    const back = loadHardTokens(path);
    expect(back.threshold).toBe(0.1);
    expect([...back.hard.entries()].map(([k, v]) => [k, Array.from(v)])).toEqual([[2, []], [7, [0, 3, 9]], [40, [5]]]);
    const merged = mergeHardTokenMaps([map, new Map([[7, Int32Array.of(1)]])]);
    expect(Array.from(merged.get(7)!)).toEqual([1]);
    expect(merged.size).toBe(3);
  });

  it('a corrupt file is a HardTokenFileError naming the file and the field', () => {
    const path = join(dir, 'bad.json');
    saveHardTokens(path, map, { threshold: 0.1 });
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    const cases: [string, (d: Record<string, unknown>) => void][] = [
      ['offsets', (d) => ((d.offsets as number[]).length = 2)],
      ['positions', (d) => ((d.positions as number[])[1] = 0)],
      ['threshold', (d) => (d.threshold = 'x')],
      ['blockIds', (d) => ((d.blockIds as number[])[1] = 2)],
    ];
    for (const [field, corrupt] of cases) {
      const d = structuredClone(doc);
      corrupt(d);
      writeFileSync(path, JSON.stringify(d));
      expect(() => loadHardTokens(path), field).toThrow(HardTokenFileError);
      expect(() => loadHardTokens(path), field).toThrow(new RegExp(`bad.json: ${field}`));
    }
    writeFileSync(path, '{');
    expect(() => loadHardTokens(path)).toThrow(/cannot read as JSON/);
  });
});
