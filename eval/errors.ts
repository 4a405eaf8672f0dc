import { PretextError } from '../util/errors.ts';

/** An evaluation cannot run as asked (inputs that do not fit the model, bad options...); the message names what. */
export class EvalError extends PretextError {}
