/**
 * Base of every error pretext throws on purpose. `context` names what was at fault (file, field,
 * op, axis, value...) so scripts can inspect it and people can read it in the message.
 */
export class PretextError extends Error {
  readonly context: Readonly<Record<string, unknown>>;

  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.context = context;
  }
}
