/**
 * The correspondence between pretext's MLM parameter tree (MlmModelParams: { encoder, mlmHead })
 * and Hugging Face BertForMaskedLM tensor names. pretext's dense weights are [in, out]
 * (y = x W + b); torch Linear weights are [out, in], so those are transposed on the way.
 *
 * The MLM decoder is tied to the word embeddings (HF: `cls.predictions.decoder.weight` is
 * `bert.embeddings.word_embeddings.weight`, and `cls.predictions.decoder.bias` is
 * `cls.predictions.bias`), so neither is stored. A pre-LN encoder's final LayerNorm has no BERT
 * counterpart and is stored as `pretext.bert.encoder.final_layer_norm.*`.
 */
export interface HfEntry {
  /** Path relative to the MLM subtree, as flatten() writes it. */
  readonly path: string;
  /** Tensor name in the file. */
  readonly name: string;
  /** pretext's axis names. */
  readonly axes: readonly string[];
  /** Stored transposed ([out, in]) relative to pretext's [in, out]. */
  readonly transpose: boolean;
  /** Stored with a leading axis of size 1 (a torch Linear(h, 1): weight [1, h], bias [1]). */
  readonly unsqueeze?: boolean;
}

/** Which optional tensors the MLM model has. */
export interface HfBertShape {
  readonly layers: number;
  readonly tokenType: boolean;
  readonly finalLn: boolean;
  /** An embedding -> hidden projection (ELECTRA-style), stored as pretext.bert.embeddings_project. */
  readonly embeddingProjection?: boolean;
  /** BertForSequenceClassification's head: the pooler (`pooler`) and the classifier (`classifier`) beside the encoder. */
  readonly sequenceClassifier?: boolean;
}

export const hfLayerNormEntries = (path: string, name: string): HfEntry[] => [
  { path: `${path}.gain`, name: `${name}.weight`, axes: ['hidden'], transpose: false },
  { path: `${path}.bias`, name: `${name}.bias`, axes: ['hidden'], transpose: false },
];

export const hfDenseEntries = (path: string, w: string, b: string, name: string, inAxis: string, outAxis: string): HfEntry[] => [
  { path: `${path}.${w}`, name: `${name}.weight`, axes: [inAxis, outAxis], transpose: true },
  { path: `${path}.${b}`, name: `${name}.bias`, axes: [outAxis], transpose: false },
];
const ln = hfLayerNormEntries;
const dense = hfDenseEntries;

/** One encoder layer (pretext path `p`, e.g. encoder.layers[0]) under HF BERT-layer names (`h`, e.g. bert.encoder.layer.0); ELECTRA's layers are named alike. */
export function hfLayerEntries(p: string, h: string): HfEntry[] {
  return [
    ...dense(`${p}.attention`, 'wq', 'bq', `${h}.attention.self.query`, 'hidden', 'qkv'),
    ...dense(`${p}.attention`, 'wk', 'bk', `${h}.attention.self.key`, 'hidden', 'qkv'),
    ...dense(`${p}.attention`, 'wv', 'bv', `${h}.attention.self.value`, 'hidden', 'qkv'),
    ...dense(`${p}.attention`, 'wo', 'bo', `${h}.attention.output.dense`, 'qkv', 'hidden'),
    ...ln(`${p}.attentionLn`, `${h}.attention.output.LayerNorm`),
    ...dense(`${p}.ffnIn`, 'w', 'b', `${h}.intermediate.dense`, 'hidden', 'ffn'),
    ...dense(`${p}.ffnOut`, 'w', 'b', `${h}.output.dense`, 'ffn', 'hidden'),
    ...ln(`${p}.ffnLn`, `${h}.output.LayerNorm`),
  ];
}

/** Every HF-named tensor of an MLM model (or a sequence classifier: { encoder, pooler, classifier }) of this shape. */
export function hfBertEntries(shape: HfBertShape): HfEntry[] {
  const e = 'encoder.embeddings';
  const entries: HfEntry[] = [
    { path: `${e}.word`, name: 'bert.embeddings.word_embeddings.weight', axes: ['vocab', 'hidden'], transpose: false },
    { path: `${e}.position`, name: 'bert.embeddings.position_embeddings.weight', axes: ['position', 'hidden'], transpose: false },
    ...(shape.tokenType ? [{ path: `${e}.tokenType`, name: 'bert.embeddings.token_type_embeddings.weight', axes: ['type', 'hidden'], transpose: false }] : []),
    ...ln(`${e}.ln`, 'bert.embeddings.LayerNorm'),
    ...(shape.embeddingProjection ? dense('encoder.embeddingProjection', 'w', 'b', 'pretext.bert.embeddings_project', 'hidden', 'out') : []),
  ];
  for (let i = 0; i < shape.layers; i++) entries.push(...hfLayerEntries(`encoder.layers[${i}]`, `bert.encoder.layer.${i}`));
  if (shape.finalLn) entries.push(...ln('encoder.finalLn', 'pretext.bert.encoder.final_layer_norm'));
  if (shape.sequenceClassifier) entries.push(...dense('pooler', 'w', 'b', 'bert.pooler.dense', 'hidden', 'out'), ...dense('classifier', 'w', 'b', 'classifier', 'hidden', 'label'));
  entries.push(
    ...dense('mlmHead.transform', 'w', 'b', 'cls.predictions.transform.dense', 'hidden', 'out'),
    ...ln('mlmHead.ln', 'cls.predictions.transform.LayerNorm'),
    { path: 'mlmHead.bias', name: 'cls.predictions.bias', axes: ['vocab'], transpose: false },
  );
  return entries;
}

/**
 * Names an HF BertForMaskedLM file may hold that pretext does not load: tied copies, buffers
 * (position_ids, token_type_ids) and the pooler (BertForMaskedLM has none, BertForPreTraining does).
 */
export function isIgnoredHfName(name: string): boolean {
  return (
    name === 'cls.predictions.decoder.weight' ||
    name === 'cls.predictions.decoder.bias' ||
    name === 'bert.embeddings.position_ids' ||
    name === 'bert.embeddings.token_type_ids' ||
    name.startsWith('bert.pooler.') ||
    name.startsWith('cls.seq_relationship.')
  );
}

/** Whether a tensor name belongs to the HF BERT namespace. */
export const isHfBertName = (name: string): boolean => name.startsWith('bert.') || name.startsWith('cls.') || name.startsWith('pretext.bert.');

/** The shape of the MLM model whose HF names appear in `names`. */
export function hfBertShapeOfNames(names: Iterable<string>): HfBertShape {
  let layers = 0;
  let tokenType = false;
  let finalLn = false;
  let embeddingProjection = false;
  for (const n of names) {
    if (n.startsWith('pretext.bert.embeddings_project.')) embeddingProjection = true;
    const m = /^bert\.encoder\.layer\.(\d+)\./.exec(n);
    if (m) layers = Math.max(layers, Number(m[1]) + 1);
    if (n === 'bert.embeddings.token_type_embeddings.weight') tokenType = true;
    if (n.startsWith('pretext.bert.encoder.final_layer_norm.')) finalLn = true;
  }
  return { layers, tokenType, finalLn, embeddingProjection };
}

/** Whether a subtree has the MLM model's top-level shape ({ encoder: { embeddings, layers }, mlmHead }). */
export function looksLikeMlmModel(tree: unknown): boolean {
  if (typeof tree !== 'object' || tree === null) return false;
  const t = tree as Record<string, unknown>;
  const enc = t.encoder as Record<string, unknown> | undefined;
  return typeof enc === 'object' && enc !== null && 'embeddings' in enc && Array.isArray(enc.layers) && typeof t.mlmHead === 'object' && t.mlmHead !== null;
}
