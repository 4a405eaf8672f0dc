/**
 * Where a checkpoint keeps the masked LM (config.json pretext.mlm): at the root of the parameters
 * when the model's MLM view is made of their own encoder and head (MLM, TACO...), else stored
 * beside them as a view.
 */
export function mlmLocationOf(params: unknown, view: { readonly encoder: unknown; readonly mlmHead: unknown }): { in: 'params'; path: string } | { in: 'view' } {
  const p = params as { encoder?: unknown; mlmHead?: unknown };
  return view.encoder === p.encoder && view.mlmHead === p.mlmHead ? { in: 'params', path: '' } : { in: 'view' };
}
