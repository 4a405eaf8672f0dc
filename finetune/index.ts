// Downstream tasks (spec 5b7): labelled rows from PCFG tasks or CSV/TSV files, the sequence
// classifier (HF BertForSequenceClassification), fine-tuning on train/'s step, GLUE metrics, and
// classifier checkpoints in HF layout. The linear probe (eval/linearProbe.ts) shares the rows,
// batches, loss and metrics.
export * from './errors.ts';
export { type LabelledRows, type RowSpecials, labelledRows } from './labelledRows.ts';
export { type LabelSpace, classNames, outputCount, labelSpaceOf, encodeLabels } from './labelSpace.ts';
export { type Table, readTable, tableColumn, formatTable, delimiterOf } from './csvTable.ts';
export { type TaskColumns, type ResolvedColumns, type TextEncoder, resolveColumns, tableTexts, vocabEncoder, csvTaskData } from './csvTask.ts';
export { type PcfgTaskOptions, pcfgTaskData } from './pcfgTask.ts';
export { type TaskData, majorityBaseline } from './taskData.ts';
export * from './metrics.ts';
export { type RowBatch, type RowBatchTensors, rowBatch, rowBatchTensors, predictRows } from './rowBatch.ts';
export * from './sequenceClassifier.ts';
export { type ClassifierEvaluation, ClassifierPredictor, predictionsOf } from './classifierPredictor.ts';
export * from './finetune.ts';
export { bestOfEach, finetuneSummary } from './results.ts';
export { BEST_MODEL_DIR, type StoredClassifier, type TaskSection, classifierConfig, saveClassifier, loadClassifier } from './classifierCheckpoint.ts';
