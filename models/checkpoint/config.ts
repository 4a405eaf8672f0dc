import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { type EncoderConfig, EncoderConfigCodec, embeddingWidth } from '../config.ts';
import { CheckpointConfigError } from './errors.ts';
import { hfActOfGelu } from './hfConfig.ts';

/**
 * config.json of a checkpoint: a Hugging Face BertConfig (so transformers can load an HF-compatible
 * model.safetensors as BertForMaskedLM) plus a `pretext` section with what pretext needs to
 * rebuild the model. See README.md in this folder for the schema.
 */
export const CHECKPOINT_FORMAT_VERSION = 1;

export const VocabRefCodec = t.union([t.type({ file: t.string }), t.type({ tokens: t.array(t.string) })]);
export type VocabRef = t.TypeOf<typeof VocabRefCodec>;

/** The grammar of a PCFG run: a rule file (relative to the checkpoint directory, or absolute) or a generated grammar's seed and shape. */
export const GrammarRefCodec = t.union([
  t.type({ file: t.string }),
  t.intersection([t.type({ seed: t.number }), t.partial({ shape: t.UnknownRecord })]),
]);
export type GrammarRef = t.TypeOf<typeof GrammarRefCodec>;

export const ObjectiveInfoCodec = t.intersection([t.type({ name: t.string }), t.partial({ options: t.unknown })]);
export type ObjectiveInfo = t.TypeOf<typeof ObjectiveInfoCodec>;

export const PretextSectionCodec = t.intersection([
  t.type({
    formatVersion: t.literal(CHECKPOINT_FORMAT_VERSION),
    hfCompatible: t.boolean,
    /** Architecture of the run's model, the one config.json describes to HF: the masked LM, or ELECTRA's discriminator. */
    encoder: EncoderConfigCodec,
    /**
     * Where the masked LM is: the subtree ({ encoder, mlmHead }) at `path` of the parameters
     * ('' = the root), a separately stored view (an MLM assembled from shared parts), ELECTRA's
     * generator (assembled from ElectraParams; architecture in `pretext.electra`, electraConfig.ts);
     * null when there is none.
     */
    mlm: t.union([
      t.type({ in: t.literal('params'), path: t.string }), t.type({ in: t.literal('view') }), t.type({ in: t.literal('electra-generator') }), t.null,
    ]),
    objective: ObjectiveInfoCodec,
  }),
  t.partial({
    hfIncompatibility: t.array(t.string),
    vocab: VocabRefCodec,
    grammar: GrammarRefCodec,
  }),
]);
export type PretextSection = t.TypeOf<typeof PretextSectionCodec>;
export type MlmLocation = PretextSection['mlm'];

export interface CheckpointConfigOptions {
  readonly encoder: EncoderConfig;
  readonly objective: ObjectiveInfo;
  /** Where the masked LM is (default { in: 'params', path: '' }: the parameters are an MLM model). */
  readonly mlm?: MlmLocation;
  readonly vocab?: VocabRef;
  readonly grammar?: GrammarRef;
  /** Id of [PAD] (HF pad_token_id; default 0). */
  readonly padTokenId?: number;
  /** More fields for the pretext section (run name, dataset, anything JSON). */
  readonly more?: Readonly<Record<string, unknown>>;
  /**
   * The transformers class the tensors are named for: BertForMaskedLM (default), or
   * BertForSequenceClassification for a fine-tuned classifier ({ encoder, pooler, classifier },
   * which needs no masked LM).
   */
  readonly architecture?: 'BertForMaskedLM' | 'BertForSequenceClassification';
}

/** Why an encoder is not transformers' BertModel (empty when it is). */
export function hfEncoderIncompatibility(encoder: EncoderConfig): string[] {
  const reasons: string[] = [];
  if (encoder.layerNorm === 'pre') reasons.push('pre-LN encoder (x + f(LN(x)) with a final LayerNorm); HF BERT is post-LN');
  if (encoder.typeVocabSize < 1) reasons.push('no token type embeddings (HF BERT needs type_vocab_size >= 1)');
  if (embeddingWidth(encoder) !== encoder.hidden) reasons.push(`embeddings ${embeddingWidth(encoder)} wide, projected to hidden ${encoder.hidden} (HF BERT has no embedding projection)`);
  return reasons;
}

/** Why a model cannot be loaded as transformers' BertForMaskedLM (empty when it can). */
export function hfIncompatibility(encoder: EncoderConfig, mlm: MlmLocation): string[] {
  return [...hfEncoderIncompatibility(encoder), ...(mlm === null ? ['the checkpoint holds no masked LM'] : [])];
}

/**
 * model_type of a checkpoint that transformers cannot load as is: AutoModel* refuses an unknown
 * model_type, where "bert" would build a BertForMaskedLM that computes a different network from
 * the same tensors (the reasons are in pretext.hfIncompatibility).
 */
export const PRETEXT_MODEL_TYPE = 'pretext';

/**
 * The config.json of a checkpoint of a model with a masked LM: an HF BertConfig + the pretext
 * section; `architectures: ["BertForMaskedLM"]` (or the `architecture` given) and model_type "bert" only when transformers
 * computes the same network from the tensors (hfIncompatibility empty), else PRETEXT_MODEL_TYPE.
 */
export function checkpointConfig(o: CheckpointConfigOptions): Record<string, unknown> {
  const e = o.encoder;
  const mlm: MlmLocation = o.mlm === undefined ? { in: 'params', path: '' } : o.mlm;
  const architecture = o.architecture ?? 'BertForMaskedLM';
  const reasons = architecture === 'BertForMaskedLM' ? hfIncompatibility(e, mlm) : hfEncoderIncompatibility(e);
  const pretext: PretextSection & Record<string, unknown> = {
    ...(o.more ?? {}),
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    hfCompatible: reasons.length === 0,
    ...(reasons.length > 0 ? { hfIncompatibility: reasons } : {}),
    encoder: e,
    mlm,
    objective: o.objective,
    ...(o.vocab ? { vocab: o.vocab } : {}),
    ...(o.grammar ? { grammar: o.grammar } : {}),
  };
  return {
    ...(reasons.length === 0 ? { architectures: [architecture], model_type: 'bert' } : { model_type: PRETEXT_MODEL_TYPE }),
    vocab_size: e.vocabSize,
    hidden_size: e.hidden,
    num_hidden_layers: e.layers,
    num_attention_heads: e.heads,
    intermediate_size: e.ffn,
    hidden_act: hfActOfGelu(e.gelu),
    hidden_dropout_prob: e.dropout,
    attention_probs_dropout_prob: e.attentionDropout,
    max_position_embeddings: e.maxPositions,
    type_vocab_size: e.typeVocabSize,
    initializer_range: e.initStd,
    layer_norm_eps: e.layerNormEps,
    pad_token_id: o.padTokenId ?? 0,
    position_embedding_type: 'absolute',
    tie_word_embeddings: true,
    torch_dtype: 'float32',
    pretext,
  };
}

/** `a.b[2].c` for a failed decode: keys of records and arrays, not the indices of intersection or union members. */
function fieldPath(e: t.ValidationError): string {
  let out = '';
  e.context.forEach((c, i) => {
    if (i === 0 || c.key === '') return;
    const parent = (e.context[i - 1]!.type as { _tag?: string })._tag;
    if (parent === 'IntersectionType' || parent === 'UnionType') return;
    out += /^\d+$/.test(c.key) && parent !== 'InterfaceType' && parent !== 'PartialType' && parent !== 'ReadonlyType' ? `[${c.key}]` : out ? `.${c.key}` : c.key;
  });
  return out;
}

/** One line per failed field of an io-ts decode: `field.path: got VALUE, expected TYPE`. */
export function describeDecodeErrors(errors: t.Errors): string[] {
  return [...new Set(errors.map((e) => {
    const expected = e.context[e.context.length - 1]?.type.name ?? 'valid value';
    return `${fieldPath(e) || '(root)'}: got ${JSON.stringify(e.value)}, expected ${expected}`;
  }))];
}

/** The pretext section of a parsed config.json; errors name the file and the fields. */
export function decodePretextSection(config: unknown, file: string): PretextSection {
  const section = typeof config === 'object' && config !== null ? (config as Record<string, unknown>).pretext : undefined;
  if (section === undefined) {
    throw new CheckpointConfigError(`${file}: no "pretext" section (not a pretext checkpoint config)`, { file, field: 'pretext' });
  }
  const r = PretextSectionCodec.decode(section);
  if (isLeft(r)) {
    const problems = describeDecodeErrors(r.left).map((p) => `pretext.${p}`);
    throw new CheckpointConfigError(`${file}: invalid checkpoint config\n  ${problems.join('\n  ')}`, { file, problems, field: problems[0]?.split(':')[0] });
  }
  return r.right;
}
