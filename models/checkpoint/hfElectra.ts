import { type HfEntry, hfDenseEntries, hfLayerEntries, hfLayerNormEntries } from './hfBert.ts';

/**
 * The correspondence between pretext's ELECTRA parameter tree (models/electra.ts ElectraParams:
 * { embeddings, discriminator, generator }) and Hugging Face names, so that one model.safetensors
 * is the discriminator as transformers' ElectraForPreTraining reads it, with the generator beside it:
 *  - shared embeddings and the discriminator: ElectraForPreTraining names (`electra.embeddings.*`,
 *    `electra.embeddings_project.*`, `electra.encoder.layer.N.*`, `discriminator_predictions.*`);
 *  - the generator: `generator.` + its ElectraForMaskedLM names (`generator.electra.encoder.layer.N.*`,
 *    `generator.generator_predictions.*`, `generator.generator_lm_head.bias`); its word, position
 *    and token-type tables are the shared `electra.embeddings.*` (stored once), and its decoder
 *    weight is tied to the word embeddings.
 * Leaves without an HF counterpart (a pre-LN tower's final LayerNorm) keep `pretext.params.<path>`.
 */
export interface HfElectraShape {
  readonly discriminatorLayers: number;
  readonly generatorLayers: number;
  readonly tokenType: boolean;
  readonly discriminatorProjection: boolean;
  readonly generatorProjection: boolean;
  /** The 'electra' head's hidden→hidden dense layer (absent for the 'linear' head). */
  readonly headDense: boolean;
}

/** The generator's tensors carry this prefix before their ElectraForMaskedLM names. */
export const GENERATOR_NAME_PREFIX = 'generator.';

/** A tower's own tensors: embedding LayerNorm, projection, layers, under `name` (electra or generator.electra). */
function towerEntries(tower: string, name: string, layers: number, projection: boolean): HfEntry[] {
  const entries = [
    ...hfLayerNormEntries(`${tower}.embeddingLn`, `${name}.embeddings.LayerNorm`),
    ...(projection ? hfDenseEntries(`${tower}.projection`, 'w', 'b', `${name}.embeddings_project`, 'hidden', 'out') : []),
  ];
  for (let i = 0; i < layers; i++) entries.push(...hfLayerEntries(`${tower}.layers[${i}]`, `${name}.encoder.layer.${i}`));
  return entries;
}

/** Every HF-named tensor of an ELECTRA pair of this shape (paths relative to ElectraParams). */
export function hfElectraEntries(shape: HfElectraShape): HfEntry[] {
  const g = GENERATOR_NAME_PREFIX;
  return [
    { path: 'embeddings.word', name: 'electra.embeddings.word_embeddings.weight', axes: ['vocab', 'hidden'], transpose: false },
    { path: 'embeddings.position', name: 'electra.embeddings.position_embeddings.weight', axes: ['position', 'hidden'], transpose: false },
    ...(shape.tokenType ? [{ path: 'embeddings.tokenType', name: 'electra.embeddings.token_type_embeddings.weight', axes: ['type', 'hidden'], transpose: false }] : []),
    ...towerEntries('discriminator', 'electra', shape.discriminatorLayers, shape.discriminatorProjection),
    ...(shape.headDense ? hfDenseEntries('discriminator.head.dense', 'w', 'b', 'discriminator_predictions.dense', 'hidden', 'out') : []),
    { path: 'discriminator.head.out.w', name: 'discriminator_predictions.dense_prediction.weight', axes: ['hidden'], transpose: false, unsqueeze: true },
    { path: 'discriminator.head.out.b', name: 'discriminator_predictions.dense_prediction.bias', axes: [], transpose: false, unsqueeze: true },
    ...towerEntries('generator', `${g}electra`, shape.generatorLayers, shape.generatorProjection),
    ...hfDenseEntries('generator.mlmHead.transform', 'w', 'b', `${g}generator_predictions.dense`, 'hidden', 'out'),
    ...hfLayerNormEntries('generator.mlmHead.ln', `${g}generator_predictions.LayerNorm`),
    { path: 'generator.mlmHead.bias', name: `${g}generator_lm_head.bias`, axes: ['vocab'], transpose: false },
  ];
}

/** The shape of the ELECTRA pair whose leaf paths (relative to ElectraParams) are `paths`. */
export function hfElectraShapeOfPaths(paths: readonly string[]): HfElectraShape {
  const layers = (tower: string): number => {
    let n = 0;
    for (const p of paths) {
      const m = new RegExp(`^${tower}\\.layers\\[(\\d+)\\]`).exec(p);
      if (m) n = Math.max(n, Number(m[1]) + 1);
    }
    return n;
  };
  return {
    discriminatorLayers: layers('discriminator'),
    generatorLayers: layers('generator'),
    tokenType: paths.includes('embeddings.tokenType'),
    discriminatorProjection: paths.some((p) => p.startsWith('discriminator.projection.')),
    generatorProjection: paths.some((p) => p.startsWith('generator.projection.')),
    headDense: paths.some((p) => p.startsWith('discriminator.head.dense.')),
  };
}
