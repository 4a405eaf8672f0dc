// ScTD: semantic-consistent token dropping (spec 2), and vanilla token dropping (Hou et al.) as
// its baseline preset. The routed encoder lives in models/tokenDropping.ts.
export { SctdError } from './errors.ts';
export {
  type TokenDroppingOptions, type ResolvedTokenDropping, KEEP_IMPORTANCE, DROP_IMPORTANCE, resolveTokenDropping, dropCountFor,
} from './options.ts';
export { type ImportancePins, initialImportance, updateImportance, freeIdMask, loadImportanceFile } from './importanceTable.ts';
export { isAlignStep, firstToken, hiddenSoftmaxKl } from './alignment.ts';
export { protectionTable, sctdRoute } from './route.ts';
export { type SctdExtra, type SctdVariant, sctdObjective, vanillaTokenDroppingObjective } from './sctd.ts';
