import type { Hidden } from '../../models/encoder.ts';

/**
 * g = h − λ·e, TACO's "global semantics" [PAPER eq. 1]: h is the last layer's output, e the tensor
 * the encoder fed to layer 1 (embedding output after dropout in train mode, after the projection
 * where there is one). A new tensor: the reference subtracts in place after the MLM head has read h.
 */
export function globalSemantics(last: Hidden, embedded: Hidden, lambda: number): Hidden {
  return lambda === 0 ? last : last.sub(embedded.mul(lambda));
}
