import { PretextError } from '../../../../util/errors.ts';

/** A GEMM (or pool job) argument is invalid: `context.argument` names it, `context.value` holds it. */
export class GemmArgumentError extends PretextError {
  constructor(argument: string, value: unknown, why: string) {
    super(`gemm: ${argument} = ${String(value)} ${why}`, { argument, value });
  }
}

/** A worker-pool job failed or the pool was used after close(). */
export class WorkerPoolError extends PretextError {}
