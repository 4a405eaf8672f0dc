import * as t from 'io-ts';
import type { Concrete } from '../dsl/trace.ts';
import type { EncoderConfig } from '../models/config.ts';
import { electraModelConfig } from '../models/electra.ts';
import type { MlmModelParams } from '../models/params.ts';
import { electraTcObjective } from './composed/electraTc.ts';
import { electraObjective } from './electra/index.ts';
import { mlmObjective } from './mlm.ts';
import type { AnyObjective, VocabInfo } from './objective.ts';
import { sctdObjective } from './sctd/index.ts';
import { selfEvolutionObjective } from './selfEvolution/index.ts';
import { tacoObjective } from './taco/index.ts';
import { PretextError } from '../util/errors.ts';
import { strictPartial } from '../util/strictCodec.ts';

export class ObjectiveConfigError extends PretextError {}

/** What building an objective needs besides its own options. */
export interface ObjectiveContext {
  readonly encoder: EncoderConfig;
  readonly vocab: VocabInfo;
  /** SE: stage-1 hard positions by block id. */
  readonly hardPositions?: ReadonlyMap<number, ArrayLike<number>>;
}

/** An objective as the command line knows it: an io-ts codec for its JSON options and a builder. */
export interface ObjectiveEntry {
  readonly summary: string;
  readonly options: t.Type<Record<string, unknown>, unknown, unknown>;
  build(options: Record<string, unknown>, ctx: ObjectiveContext): AnyObjective;
  /** Needs an initial model (continued pretraining, e.g. SE). */
  readonly needsInitialModel?: boolean;
}

const opt = <P extends t.Props>(props: P, name = 'objectiveOptions') => strictPartial(props, name) as unknown as t.Type<Record<string, unknown>, unknown, unknown>;
const anchors = t.union([t.literal('all'), t.literal('unmasked'), t.literal('masked')]);
const tcProps = { negatives: t.number, window: t.number, temperature: t.number, weight: t.number, lambda: t.number, anchors };
const electraProps = {
  generatorSize: t.number, embeddingSize: t.number, discriminatorHead: t.union([t.literal('electra'), t.literal('linear')]),
  maskProb: t.number, replaceProb: t.number, randomTokenProb: t.number, lucidrainsCompat: t.boolean,
  genWeight: t.number, discWeight: t.number, temperature: t.number,
};
const masking = t.union([
  t.type({ kind: t.literal('bernoulli'), prob: t.number }),
  t.type({ kind: t.literal('exact'), prob: t.number }),
  t.intersection([t.type({ kind: t.literal('budget'), prob: t.number, maxPredictions: t.number, dupFactor: t.number }), t.partial({ staticSeed: t.number })]),
]);

function electraParts(o: Record<string, unknown>, ctx: ObjectiveContext) {
  const { generatorSize, embeddingSize, discriminatorHead, ...rest } = o as Record<string, never>;
  const model = electraModelConfig({
    discriminator: ctx.encoder,
    ...(generatorSize !== undefined ? { generatorSize } : {}),
    ...(embeddingSize !== undefined ? { embeddingSize } : {}),
    ...(discriminatorHead !== undefined ? { discriminatorHead } : {}),
  });
  return { model, vocab: ctx.vocab, ...rest };
}

/** Every objective `pretext train --objective NAME` can build. */
export const OBJECTIVES: Readonly<Record<string, ObjectiveEntry>> = {
  mlm: {
    summary: 'masked language modelling (BERT/RoBERTa), masking: bernoulli | exact | budget',
    options: opt({ masking, normalizer: t.union([t.literal('masked'), t.literal('tokens'), t.literal('none')]) }),
    build: (o, ctx) =>
      mlmObjective({
        encoder: ctx.encoder,
        vocab: ctx.vocab,
        masking: (o['masking'] as never) ?? { kind: 'exact', prob: 0.15 },
        normalizer: (o['normalizer'] as never) ?? 'masked',
      }),
  },
  electra: {
    summary: 'ELECTRA: generator MLM + replaced-token detection (lucidrains/electra-pytorch semantics)',
    options: opt(electraProps),
    build: (o, ctx) => electraObjective(electraParts(o, ctx) as never),
  },
  taco: {
    summary: 'TACO: MLM + token-alignment contrastive loss on g = h - e',
    options: opt({ ...tcProps, maskProb: t.number }),
    build: (o, ctx) => tacoObjective({ encoder: ctx.encoder, vocab: ctx.vocab, ...o } as never),
  },
  se: {
    summary: 'Self-Evolution stage 2: hard-token masking + token-specific label smoothing (continues an initial model)',
    options: opt({
      alpha: t.number, reference: t.union([t.literal('model'), t.literal('uniform'), t.literal('none')]), maskProb: t.number,
      seSingleHardTokenCompat: t.boolean, threshold: t.number,
    }),
    needsInitialModel: true,
    build: (o, ctx) => {
      if (!ctx.hardPositions) throw new ObjectiveConfigError('se: hard-token positions (stage 1) are needed', { objective: 'se' });
      const { threshold: _t, ...rest } = o;
      return selfEvolutionObjective({ encoder: ctx.encoder, vocab: ctx.vocab, hardPositions: ctx.hardPositions, ...rest } as never);
    },
  },
  sctd: {
    summary: 'ScTD: token dropping with semantic-consistency KL steps (preset "vanilla": Hou et al. token dropping)',
    options: opt({
      preset: t.union([t.literal('sctd'), t.literal('vanilla')]), dropRatio: t.number, routeStart: t.number, emaDecay: t.number,
      importanceInit: t.number, alignEvery: t.number, klWeight: t.number, fixLrefBug: t.boolean, maskProb: t.number,
      paddedLengthDropCompat: t.boolean,
    }),
    build: (o, ctx) => sctdObjective({ encoder: ctx.encoder, vocab: ctx.vocab, ...o } as never),
  },
  'electra-tc': {
    summary: 'composition: ELECTRA plus a token-contrastive term on the discriminator (options: electra, tc)',
    options: opt({ electra: strictPartial(electraProps, 'electra'), tc: strictPartial(tcProps, 'tc') }),
    build: (o, ctx) => electraTcObjective({ electra: electraParts((o['electra'] as Record<string, unknown>) ?? {}, ctx), tc: (o['tc'] as never) ?? {} } as never),
  },
};

export const objectiveNames = (): string[] => Object.keys(OBJECTIVES);

/** The entry for a name, or an error listing the known ones. */
export function objectiveEntry(name: string): ObjectiveEntry {
  const e = OBJECTIVES[name];
  if (!e) throw new ObjectiveConfigError(`unknown objective "${name}" (known: ${objectiveNames().join(', ')})`, { objective: name });
  return e;
}

export type { Concrete, MlmModelParams };
