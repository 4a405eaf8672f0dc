import { parseArgs } from 'node:util';
import type { Axes } from '../dsl/axes.ts';
import * as p from '../dsl/index.ts';
import { HostTensor } from '../dsl/host.ts';
import type { Concrete } from '../dsl/trace.ts';
import type { Tensor } from '../dsl/tensor.ts';
import { releaseWebgpu } from '../compiler/backends/webgpu/device.ts';
import { compileStep } from '../compiler/step.ts';
import type { EncoderConfig } from '../models/config.ts';
import { encode } from '../models/encoder.ts';
import { mlmLogits } from '../models/heads.ts';
import type { MlmModelParams } from '../models/params.ts';
import { type AdamWConfig, adamwInit, adamwScalarInputs, adamwScalars, adamwUpdate } from '../train/optim/adamw.ts';
import { BenchInputError, type Benchmark } from './benchmark.ts';
import { BERT_WORKLOAD_CONFIGS, BERT_WORKLOAD_HYPER, type BertWorkloadConfig, workloadBatch, workloadFlops, workloadParams } from './workload/bertWorkload.ts';

type T = Tensor<Axes>;

/** The workload's encoder: post-LN, tanh GELU, LN eps 1e-12, no token types, no dropout. */
export function workloadEncoderConfig(c: BertWorkloadConfig): EncoderConfig {
  return {
    vocabSize: c.V, hidden: c.d, layers: c.L, heads: c.heads, ffn: 4 * c.d, maxPositions: c.T, typeVocabSize: 0,
    layerNorm: 'post', dropout: 0, attentionDropout: 0, layerNormEps: BERT_WORKLOAD_HYPER.lnEps, gelu: 'tanh', initStd: BERT_WORKLOAD_HYPER.initStd,
  };
}

/** The workload's parameters as pretext's MLM model tree. */
export function workloadModelParams(c: BertWorkloadConfig): Concrete<MlmModelParams> {
  const raw = workloadParams(c);
  const h = <const A extends Axes>(name: string, axes: A) => {
    const { shape, data } = raw.get(name)!;
    return new HostTensor(axes, shape, 'f32', data);
  };
  const ln = (g: string, b: string) => ({ gain: h(g, ['hidden']), bias: h(b, ['hidden']) });
  const layers = Array.from({ length: c.L }, (_, l) => {
    const n = (s: string) => `l${l}_${s}`;
    return {
      attention: {
        wq: h(n('wq'), ['hidden', 'qkv']), bq: h(n('bq'), ['qkv']), wk: h(n('wk'), ['hidden', 'qkv']), bk: h(n('bk'), ['qkv']),
        wv: h(n('wv'), ['hidden', 'qkv']), bv: h(n('bv'), ['qkv']), wo: h(n('wo'), ['qkv', 'hidden']), bo: h(n('bo'), ['hidden']),
      },
      attentionLn: ln(n('ln1_g'), n('ln1_b')),
      ffnIn: { w: h(n('w1'), ['hidden', 'ffn']), b: h(n('b1'), ['ffn']) },
      ffnOut: { w: h(n('w2'), ['ffn', 'hidden']), b: h(n('b2'), ['hidden']) },
      ffnLn: ln(n('ln2_g'), n('ln2_b')),
    };
  });
  return {
    encoder: { embeddings: { word: h('tok_emb', ['vocab', 'hidden']), position: h('pos_emb', ['position', 'hidden']), ln: ln('emb_ln_g', 'emb_ln_b') }, layers },
    mlmHead: { transform: { w: h('head_w', ['hidden', 'out']), b: h('head_b', ['out']) }, ln: ln('head_ln_g', 'head_ln_b'), bias: h('out_bias', ['vocab']) },
  } as Concrete<MlmModelParams>;
}

export const WORKLOAD_ADAMW: AdamWConfig = {
  beta1: BERT_WORKLOAD_HYPER.beta1, beta2: BERT_WORKLOAD_HYPER.beta2, eps: BERT_WORKLOAD_HYPER.eps, weightDecay: BERT_WORKLOAD_HYPER.weightDecay,
};

type WorkloadBatchTensors = { inputIds: Tensor<['batch', 'seq']>; labels: Tensor<['batch', 'seq']>; maskWeights: Tensor<['batch', 'seq']> };

/** The workload's MLM loss: mean cross-entropy over the masked positions, logits at every position. */
export function workloadLoss(config: EncoderConfig) {
  return (params: MlmModelParams, batch: WorkloadBatchTensors) => {
    const { last } = encode(params.encoder, { inputIds: batch.inputIds }, config);
    const logits = mlmLogits(params.mlmHead, params.encoder.embeddings, last, config);
    return p.crossEntropy(logits, batch.labels, 'vocab', { mask: batch.maskWeights, normalizer: 'masked' });
  };
}

/** A compiled training step of the workload (forward, backward, AdamW), state resident on `backend`. */
export function compileWorkloadStep(c: BertWorkloadConfig, backend: 'cpu' | 'webgpu' = 'cpu') {
  const config = workloadEncoderConfig(c);
  const params = workloadModelParams(c);
  const batch = workloadBatch(c);
  const hostBatch = {
    inputIds: new HostTensor(['batch', 'seq'], [c.B, c.T], 'i32', batch.inputIds),
    labels: new HostTensor(['batch', 'seq'], [c.B, c.T], 'i32', batch.labels),
    maskWeights: new HostTensor(['batch', 'seq'], [c.B, c.T], 'f32', batch.maskWeights),
  };
  const loss = workloadLoss(config);
  const state = { params, opt: adamwInit(params) };
  const inputsFor = (step: number) => ({ batch: hostBatch, scalars: adamwScalarInputs(adamwScalars(WORKLOAD_ADAMW, BERT_WORKLOAD_HYPER.lr, step)) });
  const stepFn = (s: { params: MlmModelParams; opt: { m: MlmModelParams; v: MlmModelParams } }, inp: { batch: WorkloadBatchTensors; scalars: { lr: T; stepSize: T; invSqrtBiasCorrection2: T } }) => {
    const { value, grads } = p.valueAndGrad(loss)(s.params, inp.batch);
    const upd = adamwUpdate(s.params, grads, s.opt, inp.scalars, WORKLOAD_ADAMW);
    return { state: { params: upd.params, opt: upd.state }, outputs: { loss: value } };
  };
  const t0 = performance.now();
  const step = compileStep(stepFn as never, state as never, inputsFor(0) as never, { backend });
  const compileMs = performance.now() - t0;
  return { step, inputsFor, compileMs, stepFn, state };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Five more steps with per-kernel timing: totals by kernel kind and the 15 slowest kernels. */
function printProfile(step: { setProfiling(on: boolean): void; gemmMs(): number; profile(): { kernel: number; kind: string; ms: number; what: string }[] }, run: (i: number) => void): void {
  const runs = 5;
  step.setProfiling(true);
  for (let i = 0; i < runs; i++) run(i);
  const prof = step.profile().map((k) => ({ ...k, ms: k.ms / runs })).sort((a, b) => b.ms - a.ms);
  const gemmMs = step.gemmMs();
  step.setProfiling(false);
  const byKind = new Map<string, number>();
  for (const k of prof) byKind.set(k.kind, (byKind.get(k.kind) ?? 0) + k.ms);
  console.log(`profile (ms per step): ${[...byKind].map(([k, ms]) => `${k} ${ms.toFixed(1)}`).join(', ')}; GEMM cores ${(gemmMs / runs).toFixed(1)}`);
  for (const k of prof.slice(0, 15)) console.log(`  #${String(k.kernel).padEnd(4)} ${k.ms.toFixed(2).padStart(7)} ${k.kind.padEnd(7)} ${k.what}`);
}

export const bertMlmStep: Benchmark = {
  name: 'bert-mlm-step',
  summary: 'one BERT MLM training step (forward, backward, AdamW) of the standard workload; --config tiny|small|base, --backend cpu|webgpu, --profile',
  async run(argv, { json }) {
    const { values } = parseArgs({
      args: [...argv],
      options: { config: { type: 'string', default: 'tiny' }, backend: { type: 'string', default: 'cpu' }, steps: { type: 'string', default: '21' }, warmup: { type: 'string', default: '3' }, profile: { type: 'boolean', default: false } },
    });
    const name = values.config as keyof typeof BERT_WORKLOAD_CONFIGS;
    const c = BERT_WORKLOAD_CONFIGS[name];
    if (!c) throw new BenchInputError(`--config ${name}: unknown (tiny | small | base)`, { flag: 'config', value: name });
    const backend = values.backend as 'cpu' | 'webgpu';
    if (backend !== 'cpu' && backend !== 'webgpu') throw new BenchInputError(`--backend ${backend}: unknown (cpu | webgpu)`, { flag: 'backend', value: backend });
    if (values.profile && backend !== 'cpu') throw new BenchInputError('--profile: per-kernel times are measured on the cpu backend only', { flag: 'profile' });
    const steps = Number(values.steps);
    const warmup = Number(values.warmup);
    const { step, inputsFor, compileMs } = compileWorkloadStep(c, backend);
    const losses: number[] = [];
    const times: number[] = [];
    // a step is submitted before the previous one's loss is awaited (the webgpu backend overlaps
    // them); a step's time is the interval between consecutive completions
    let last = performance.now();
    let previous: Promise<{ loss: HostTensor }> | undefined;
    const settle = async (i: number, done: Promise<{ loss: HostTensor }>) => {
      losses.push((await done).loss.item());
      const now = performance.now();
      times.push(now - last);
      last = now;
      if (!json) console.log(`step ${i} loss ${losses[i]!.toFixed(6)} ${times[i]!.toFixed(1)} ms`);
    };
    for (let i = 0; i < steps; i++) {
      const current = step.runAsync(inputsFor(i) as never) as Promise<{ loss: HostTensor }>;
      if (previous) await settle(i - 1, previous);
      previous = current;
    }
    if (previous) await settle(steps - 1, previous);
    if (backend === 'webgpu') await releaseWebgpu(); // Dawn's device would keep the process alive
    const stepMs = median(times.slice(warmup));
    if (values.profile && !json) printProfile(step, (i) => step.run(inputsFor(i) as never));
    const tokens = c.B * c.T;
    return {
      impl: `pretext-${backend}`, config: name, stepMs, tokensPerSecond: (tokens * 1000) / stepMs, gflops: workloadFlops(c).step / stepMs / 1e6,
      compileMs, loss0: losses[0], loss20: losses[20], peakRssMb: process.resourceUsage().maxRSS / 1024,
      kernels: step.stats.kernels, arenaMb: step.stats.peakBytes / 2 ** 20,
    };
  },
};
