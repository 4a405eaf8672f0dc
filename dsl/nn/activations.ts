import type { Axes } from '../axes.ts';
import { add, erf, maximum, mul, tanh } from '../ops/elementwise.ts';
import type { Tensor } from '../tensor.ts';

export type GeluForm = 'erf' | 'tanh';

/**
 * GELU: x * Phi(x). 'erf' is the exact form (BERT, HF "gelu"); 'tanh' the approximation
 * 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (HF "gelu_new", PyTorch approximate="tanh").
 */
export function gelu<A extends Axes>(x: Tensor<A>, form: GeluForm = 'erf'): Tensor<A> {
  // x·x has axes Union<A, A> = A, which TypeScript cannot show for a generic A: hence the casts
  if (form === 'erf') return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1)) as unknown as Tensor<A>;
  const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI)) as unknown as Tensor<A>;
  return mul(mul(x, 0.5), add(tanh(inner), 1)) as unknown as Tensor<A>;
}

export function relu<A extends Axes>(x: Tensor<A>): Tensor<A> {
  return maximum(x, 0);
}
