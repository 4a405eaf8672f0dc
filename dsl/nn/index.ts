export { gelu, relu, type GeluForm } from './activations.ts';
export { softmax, logSoftmax, logSumExp } from './softmax.ts';
export { layerNorm, variance } from './normalization.ts';
export { l2Normalize, cosineSimilarity } from './similarity.ts';
export { dropout } from './dropout.ts';
export {
  oneHot, softmaxCrossEntropy, crossEntropy, reduceLoss, binaryCrossEntropyWithLogits, klDivergence, type Normalizer,
} from './losses.ts';
export { multiHeadAttention, scaledDotProductAttention, type AttentionParams, type AttentionOptions } from './attention.ts';
