import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostTensor } from '../../../dsl/host.ts';
import { flatten } from '../../../dsl/tree.ts';
import { encodeSafetensors, hfBertEntries, hostToWrite, type TensorToWrite } from '../../../models/checkpoint/index.ts';
import type { EncoderConfig } from '../../../models/config.ts';
import { key } from '../../../prng/key.ts';
import { normal } from '../../../prng/samplers.ts';
import type { randomMlmParams } from './fixtures.ts';

/**
 * Tiny checkpoint directories laid out as transformers' save_pretrained writes them (config.json
 * without a pretext section, model.safetensors with HF names and no pretext metadata, vocab.txt),
 * built from pretext MLM parameters so a test can compare the import with pretext's own format.
 */
export type MlmParams = ReturnType<typeof randomMlmParams>;

export interface HfLayout {
  readonly family: 'bert' | 'roberta';
  /** Base-model names carry `bert.` / `roberta.` (the *ForMaskedLM classes); false: BertModel/RobertaModel naming. */
  readonly prefixed: boolean;
  /** Write the MLM head (false: a base model). */
  readonly head: boolean;
  /** Also write the tied copies transformers may keep: decoder weight (= word embeddings) and decoder bias. */
  readonly tiedCopies: boolean;
  /** Write this as the decoder weight instead of the word embeddings (an untied model). */
  readonly decoderWeight?: HostTensor;
  /** Write the `position_ids` buffer as int64 [1, rows] (older transformers versions did). */
  readonly positionIds: boolean;
  /** vocab.txt tokens (omitted: RoBERTa-style vocab.json + merges.txt instead). */
  readonly vocab?: readonly string[];
  /** Fields of config.json to override (e.g. an unsupported hidden_act). */
  readonly configOverrides?: Readonly<Record<string, unknown>>;
}

/** config.json as transformers 4.x writes it for BertForMaskedLM / RobertaForMaskedLM (keys sorted, class defaults included). */
export function hfConfigJson(c: EncoderConfig, layout: HfLayout): Record<string, unknown> {
  const roberta = layout.family === 'roberta';
  const arch = `${roberta ? 'Roberta' : 'Bert'}${layout.head ? 'ForMaskedLM' : 'Model'}`;
  return {
    architectures: [arch],
    attention_probs_dropout_prob: c.attentionDropout,
    ...(roberta ? { bos_token_id: 0 } : {}),
    classifier_dropout: null,
    ...(roberta ? { eos_token_id: 2 } : {}),
    hidden_act: c.gelu === 'tanh' ? 'gelu_new' : 'gelu',
    hidden_dropout_prob: c.dropout,
    hidden_size: c.hidden,
    initializer_range: c.initStd,
    intermediate_size: c.ffn,
    layer_norm_eps: c.layerNormEps,
    max_position_embeddings: c.maxPositions + (roberta ? 2 : 0),
    model_type: layout.family,
    num_attention_heads: c.heads,
    num_hidden_layers: c.layers,
    pad_token_id: roberta ? 1 : 0,
    position_embedding_type: 'absolute',
    torch_dtype: 'float32',
    transformers_version: '4.46.3',
    type_vocab_size: c.typeVocabSize,
    use_cache: true,
    vocab_size: c.vocabSize,
    ...layout.configOverrides,
  };
}

/** The transformers name of pretext's BERT name, in this layout (written out independently of the importer). */
function hfName(bert: string, layout: HfLayout): string {
  const base = layout.prefixed ? `${layout.family}.` : '';
  if (bert.startsWith('bert.')) return base + bert.slice('bert.'.length);
  if (layout.family === 'bert') return bert;
  const head: [string, string][] = [
    ['cls.predictions.transform.dense.', 'lm_head.dense.'],
    ['cls.predictions.transform.LayerNorm.', 'lm_head.layer_norm.'],
    ['cls.predictions.bias', 'lm_head.bias'],
  ];
  for (const [from, to] of head) if (bert.startsWith(from)) return to + bert.slice(from.length);
  throw new Error(`no RoBERTa name for ${bert}`);
}

/** safetensors bytes plus one int64 tensor appended (the project's writer has no I64; transformers stores position_ids so). */
function withInt64(parts: Uint8Array[], name: string, values: readonly number[]): Uint8Array {
  const header = JSON.parse(Buffer.from(parts[1]!).toString('utf8')) as Record<string, unknown>;
  const data = Buffer.concat(parts.slice(2));
  const extra = Buffer.from(BigInt64Array.from(values, BigInt).buffer);
  header[name] = { dtype: 'I64', shape: [1, values.length], data_offsets: [data.length, data.length + extra.length] };
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([size, json, data, extra]);
}

/**
 * Writes `params` (a pretext MLM model of config `c`) as a transformers checkpoint directory. For
 * RoBERTa the position table gets padding_idx + 1 = 2 random rows in front (positions start at 2).
 */
export function writeHfCheckpoint(dir: string, params: MlmParams, c: EncoderConfig, layout: HfLayout): void {
  mkdirSync(dir, { recursive: true });
  const flat = flatten<HostTensor>(params, (x) => x instanceof HostTensor);
  const byPath = new Map(flat.paths.map((p, i) => [p, flat.leaves[i]!]));
  const tensors: TensorToWrite[] = [];
  for (const e of hfBertEntries({ layers: c.layers, tokenType: true, finalLn: false })) {
    if (!layout.head && !e.path.startsWith('encoder.')) continue;
    let t = byPath.get(e.path)!;
    if (e.path === 'encoder.embeddings.position' && layout.family === 'roberta') {
      const lead = normal(key(99), 2 * c.hidden);
      t = new HostTensor(t.axes, [c.maxPositions + 2, c.hidden], 'f32', Float32Array.from([...lead, ...t.data]));
    }
    tensors.push(hostToWrite(hfName(e.name, layout), t, e.transpose));
  }
  if (layout.head && layout.tiedCopies) {
    const decoder = layout.family === 'roberta' ? 'lm_head.decoder' : 'cls.predictions.decoder';
    tensors.push(hostToWrite(`${decoder}.weight`, layout.decoderWeight ?? params.encoder.embeddings.word, false));
    tensors.push(hostToWrite(`${decoder}.bias`, params.mlmHead.bias, false));
  }
  const parts = encodeSafetensors(tensors, { format: 'pt' });
  const rows = c.maxPositions + (layout.family === 'roberta' ? 2 : 0);
  const bytes = layout.positionIds
    ? withInt64(parts, `${layout.prefixed ? `${layout.family}.` : ''}embeddings.position_ids`, Array.from({ length: rows }, (_, i) => i))
    : Buffer.concat(parts);
  writeFileSync(join(dir, 'model.safetensors'), bytes);
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(hfConfigJson(c, layout), null, 2)}\n`);
  if (layout.vocab) writeFileSync(join(dir, 'vocab.txt'), `${layout.vocab.join('\n')}\n`);
  else {
    writeFileSync(join(dir, 'vocab.json'), JSON.stringify({ '<s>': 0, '<pad>': 1 }));
    writeFileSync(join(dir, 'merges.txt'), '#version: 0.2\n');
  }
}
