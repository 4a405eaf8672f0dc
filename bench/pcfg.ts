// npm run bench -- pcfg [--rules FILE] [--sentences N] [--chart-sentences N] [--json]
//
// Throughput of the PCFG testbed on a grammar of the study's size (default: the generated grammar
// of seed 0; --rules to use a rule file): sentence sampling, and per sentence of exactly 10 and 16
// words the inside chart, inside + outside, the full true conditionals (inside, outside, p* for
// every position and its entropy), the Viterbi parse and the task-B label. The peer is a plain
// dense inside pass (every rule at every split, no sparsity) measured in the same run, reported
// as a ratio. Times are the best of several runs (the machine is shared and noisy).
import os from 'node:os';
import {
  ChartWorkspace, chartTables, generateGrammar, insideChart, outsideChart, readGrammarFile, sampleSentences,
  sentenceAt, sentenceLogProb, taskLabel, trueConditionals, viterbiParse, type Grammar, type SentenceBatch,
} from '../corpora/pcfg/index.ts';
import { key } from '../prng/index.ts';
import type { Benchmark } from './benchmark.ts';

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Best wall time (ms) of fn over at least minReps runs and about budgetMs in total (after one warm-up). */
function best(fn: () => void, budgetMs = 1500, minReps = 3): number {
  fn();
  let min = Infinity;
  const start = performance.now();
  for (let r = 0; r < 100 && (r < minReps || performance.now() - start < budgetMs); r++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

/** The peer: textbook dense inside (all rules at all splits, unscaled), returning ln P(x). */
function denseInside(g: Grammar, x: Int32Array, chart: Float64Array): number {
  const N = g.nonterminals.length;
  const n = x.length;
  const t = chartTables(g);
  chart.fill(0, 0, (n + 1) * (n + 1) * N);
  for (let i = 0; i < n; i++) {
    for (let X = 0; X < N; X++) {
      for (let r = g.emissionOffsets[X]!; r < g.emissionOffsets[X + 1]!; r++) {
        if (g.emissionTerminal[r] === x[i]) chart[(i * (n + 1) + i + 1) * N + X] = g.emissionProbs[r]!;
      }
    }
  }
  for (let w = 2; w <= n; w++) {
    for (let i = 0; i + w <= n; i++) {
      const c = (i * (n + 1) + i + w) * N;
      for (let k = i + 1; k < i + w; k++) {
        const l = (i * (n + 1) + k) * N;
        const rr = (k * (n + 1) + i + w) * N;
        for (let X = 0; X < N; X++) {
          let acc = 0;
          for (let r = g.binaryOffsets[X]!; r < g.binaryOffsets[X + 1]!; r++) {
            acc += g.binaryProbs[r]! * chart[l + g.binaryLeft[r]!]! * chart[rr + g.binaryRight[r]!]!;
          }
          chart[c + X] += acc;
        }
      }
    }
  }
  let p = 0;
  for (let k = 0; k < t.startChildren.length; k++) p += t.startProbs[k]! * chart[n * N + t.startChildren[k]!]!;
  return Math.log(p);
}

function perSecond(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}

function chartRates(g: Grammar, batch: SentenceBatch, count: number): Record<string, number> {
  const N = g.nonterminals.length;
  const ws = new ChartWorkspace(N);
  const sentences = Array.from({ length: count }, (_, s) => sentenceAt(batch, s));
  const n = sentences[0]!.length;
  const bufs = { pStar: new Float64Array(n * g.terminals.length), entropy: new Float64Array(n) };
  const dense = new Float64Array((n + 1) * (n + 1) * N);
  // the peer must agree with the fast path
  const d = denseInside(g, sentences[0]!, dense) - sentenceLogProb(insideChart(g, sentences[0]!, ws));
  if (!(Math.abs(d) < 1e-9)) throw new Error(`dense and sparse inside disagree by ${d}`);
  const rate = (fn: (x: Int32Array) => void): number => perSecond(count, best(() => sentences.forEach(fn)));
  const inside = rate((x) => insideChart(g, x, ws));
  const insideOutside = rate((x) => outsideChart(insideChart(g, x, ws), ws));
  const conditionals = rate((x) => trueConditionals(g, x, ws, bufs));
  const viterbi = rate((x) => viterbiParse(g, x, ws));
  const taskB = rate((x) => taskLabel(g, x, 'B', ws));
  const denseRate = rate((x) => denseInside(g, x, dense));
  return {
    insidePerSec: inside,
    insideOutsidePerSec: insideOutside,
    conditionalsPerSec: conditionals,
    conditionalPositionsPerSec: conditionals * n,
    viterbiPerSec: viterbi,
    taskBLabelsPerSec: taskB,
    denseInsidePerSec: denseRate,
    insideSpeedupVsDense: Number((inside / denseRate).toFixed(2)),
  };
}

export const pcfgBenchmark: Benchmark = {
  name: 'pcfg',
  summary: 'PCFG sampling, inside/outside, true conditionals, Viterbi (sentences/s at lengths 10 and 16)',
  async run(argv, { json }) {
    const rules = flag(argv, '--rules');
    const sampleCount = Number(flag(argv, '--sentences') ?? 200_000);
    const chartCount = Number(flag(argv, '--chart-sentences') ?? 1000);
    const g = rules ? readGrammarFile(rules) : generateGrammar(key(0));
    const log = (s: string): void => {
      if (!json) console.log(s);
    };
    log(`grammar: ${rules ?? 'generated, seed 0'} (${g.nonterminals.length} nonterminals, ${g.terminals.length} words)`);

    let tokens = 0;
    const sampleMs = best(() => {
      tokens = sampleSentences(g, key(1), sampleCount).tokens.length;
    }, 3000);
    const sampling = { sentencesPerSec: perSecond(sampleCount, sampleMs), wordsPerSec: perSecond(tokens, sampleMs), meanLength: tokens / sampleCount };
    log(`sampling: ${sampling.sentencesPerSec} sentences/s (${sampling.wordsPerSec} words/s, mean length ${sampling.meanLength.toFixed(2)})`);

    const byLength: Record<string, Record<string, number>> = {};
    for (const n of [10, 16]) {
      const batch = sampleSentences(g, key(100 + n), chartCount, { minLength: n, maxLength: n });
      byLength[String(n)] = chartRates(g, batch, chartCount);
      log(`length ${n}: ${JSON.stringify(byLength[String(n)])}`);
    }
    return {
      benchmark: 'pcfg',
      grammar: rules ?? 'generated seed 0',
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadavg: os.loadavg().map((x) => Number(x.toFixed(2))) },
      sampling,
      byLength,
    };
  },
};
