export { threefry2x32, threefry2x32Into, THREEFRY_JS_SOURCE } from './threefry.ts';
export { key, keyFromWords, splitKey, foldIn, randomBits, KeyError, TAG_BITS, TAG_SPLIT, TAG_FOLD, TAG_NORMAL_ANGLE } from './key.ts';
export type { Key } from './key.ts';
export {
  uniform, normal, bernoulli, randint, categorical, permutation, randomRanks, sampleWithoutReplacement,
  bitsToUniform, bitsToOpenUniform, gumbelFromUniform, SamplerError,
} from './samplers.ts';
