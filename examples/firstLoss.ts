// A loss written in the DSL, its gradient, evaluated on the reference interpreter and compiled.
//   npx tsx examples/firstLoss.ts
import { compile } from '../compiler/compile.ts';
import * as p from '../dsl/index.ts';

type Params = { w: p.Tensor<['hidden', 'class']>; b: p.Tensor<['class']> };
type Batch = { x: p.Tensor<['batch', 'hidden']>; y: p.Tensor<['batch']> };

// Softmax regression: logits = x·w + b (named axes: 'hidden' is contracted, 'class' broadcasts).
// The signatures state the axes; the compiler checks the body produces them (no casts).
const logitsOf = (params: Params, x: Batch['x']): p.Tensor<['batch', 'class']> => p.dot(x, params.w, 'hidden').add(params.b);
const loss = (params: Params, batch: Batch): p.Tensor<[]> => p.crossEntropy(logitsOf(params, batch.x), batch.y, 'class');

const params = {
  w: p.hostTensor(new Float32Array([0.1, -0.2, 0.3, 0.05, -0.1, 0.2]), ['hidden', 'class'], [2, 3]),
  b: p.hostTensor(new Float32Array([0, 0, 0]), ['class'], [3]),
};
const batch = {
  x: p.hostTensor(new Float32Array([1, 2, -1, 0.5]), ['batch', 'hidden'], [2, 2]),
  y: p.hostTensor(new Int32Array([2, 0]), ['batch'], [2], 'i32'),
};

const lossAndGrad = (ps: Params, b: Batch) => p.valueAndGrad(loss)(ps, b);
const exact = p.evaluate(lossAndGrad, params, batch); // float64 interpreter: the oracle
console.log('loss', exact.value.item(), 'dL/dw', Array.from(exact.grads.w.data));

const fast = compile(lossAndGrad, [params, batch]); // fused float32 kernels
console.log('compiled loss', fast(params, batch).value.item(), `(${fast.stats.kernels} kernels)`);
