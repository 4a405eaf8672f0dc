import * as t from 'io-ts';

/**
 * An io-ts object codec whose keys are all optional and which rejects keys it does not know: a
 * misspelt config key is an error naming it, not a silently ignored setting.
 */
export function strictPartial<P extends t.Props>(props: P, name: string): t.Type<Partial<t.TypeOf<t.TypeC<P>>>, unknown, unknown> {
  const partial = t.partial(props);
  return new t.Type(
    name,
    (u): u is Partial<t.TypeOf<t.TypeC<P>>> => partial.is(u),
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `${name} must be an object`);
      for (const k of Object.keys(u)) {
        if (!(k in props)) {
          const v = (u as Record<string, unknown>)[k];
          return t.failure(v, t.appendContext(c, k, t.never, v), `unknown key "${k}" in ${name}`);
        }
      }
      return partial.validate(u, c) as t.Validation<Partial<t.TypeOf<t.TypeC<P>>>>;
    },
    (a) => a,
  );
}
