import { PretextError } from '../../util/errors.ts';

/** Base of dataset errors; context.file names the file (manifest, shard or directory) at fault. */
export class DatasetError extends PretextError {}

/** The dataset directory does not exist, or holds no dataset at all. */
export class DatasetNotFoundError extends DatasetError {}

/** Shard files but no manifest.json: a writer did not finish (crashed or aborted). */
export class IncompleteDatasetError extends DatasetError {}

/** manifest.json is not valid JSON or a field has the wrong type / an inconsistent value; names the field. */
export class ManifestError extends DatasetError {}

/** A shard is missing, has the wrong size, or fails its sha256 check. */
export class ShardError extends DatasetError {}

/** Writer misuse: wrong field lengths, writing over an existing dataset, append after finish... */
export class DatasetWriteError extends DatasetError {}

/** A row index outside the split, or an unknown split / field. */
export class DatasetRangeError extends DatasetError {}
