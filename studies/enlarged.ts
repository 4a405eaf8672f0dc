// An evaluation of a run's model after enlarge (spec 5b8): the final checkpoint widened r times
// without changing its function, written beside the run, then measured with other evaluations.
// The enlarged model has the small one's loss exactly, but a Hessian trace of the wide
// architecture, so it can be compared with models trained at that width (spec 5f-7).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadCheckpointMlm } from '../eval/index.ts';
import { CONFIG_FILE, checkpointConfig, saveCheckpoint } from '../models/checkpoint/index.ts';
import { enlargeMlm } from '../models/enlarge.ts';
import { type Evaluation, evaluation } from '../study/index.ts';
import { evalRows } from '../study/evaluation.ts';

export interface EnlargedOptions {
  /** Width factor r: hidden r·d with r·h heads of the same size. */
  readonly factor: number;
  /** Only runs whose model has this width are enlarged (the others get no rows). */
  readonly hidden: number;
  /** What is measured on the enlarged model; its metrics are named enlarged_METRIC. */
  readonly evaluate: readonly Evaluation[];
}

/** Writes the enlarged copy of `checkpoint` into `dir` (once: a run's final checkpoint does not change). */
function writeEnlarged(checkpoint: string, dir: string, factor: number): void {
  if (existsSync(join(dir, CONFIG_FILE))) return;
  const small = loadCheckpointMlm(checkpoint);
  const big = enlargeMlm(small.loaded.params, small.loaded.encoderConfig, { factor });
  const { vocab, grammar, objective } = small.loaded.pretext;
  const files = Object.fromEntries(['vocab.txt', 'grammar.txt'].filter((f) => existsSync(join(small.dir, f))).map((f) => [f, readFileSync(join(small.dir, f), 'utf8')]));
  saveCheckpoint(dir, {
    config: checkpointConfig({ encoder: big.config, objective, ...(vocab ? { vocab } : {}), ...(grammar ? { grammar } : {}), more: { enlargedFrom: small.dir, enlargeFactor: factor } }),
    params: big.params,
    files,
  });
}

export const enlarged = (o: EnlargedOptions): Evaluation =>
  evaluation(`enlarged${o.factor}x`, async (ctx) => {
    if (ctx.job.encoder.hidden !== o.hidden) return [];
    const dir = join(dirname(ctx.runDir), `enlarged-${o.factor}x`);
    writeEnlarged(ctx.checkpoint, dir, o.factor);
    const rows = [];
    for (const e of o.evaluate) rows.push(...evalRows(e.name, await e.run({ ...ctx, checkpoint: dir }), ctx.runId, ctx.step));
    return rows.map(({ run: _run, ...r }) => ({ ...r, metric: `enlarged_${r.metric}` }));
  }, { factor: o.factor, hidden: o.hidden, evaluate: o.evaluate.map((e) => ({ name: e.name, options: e.options ?? null })) });
