import { describe, expect, it } from 'vitest';
import * as p from '../../../dsl/index.ts';
import { keyInput } from '../../../dsl/random.ts';
import type { Tensor } from '../../../dsl/tensor.ts';
import type { EncoderConfig } from '../../../models/config.ts';
import { type DropoutContext, embed, encode, encoderLayer } from '../../../models/encoder.ts';
import type { EncoderParams } from '../../../models/params.ts';
import { type LayerFunction, TokenDroppingError, gatherKept, routeStartLayer, routedEncode, tokenRoute } from '../../../models/tokenDropping.ts';
import { key } from '../../../prng/key.ts';
import { routingBatch, routingConfig, routingParams } from './tinyRouting.ts';

type Batch = ReturnType<typeof routingBatch>;
type Grid = Tensor<['batch', 'seq']>;
type SymBatch = { inputIds: Grid; attentionMask: Grid; scores: Grid };

const ctxOf = (config: EncoderConfig, k: p.KeyTensor, train: boolean): DropoutContext | undefined =>
  train ? { key: k, hidden: config.dropout, attention: config.attentionDropout } : undefined;

function run<R>(config: EncoderConfig, fn: (params: EncoderParams, b: SymBatch, k: p.KeyTensor) => R, batch: Batch = routingBatch()) {
  return p.evaluate(fn, routingParams(config), batch, keyInput(key(3)));
}

describe('routed encoder (spec 2f 1, 2, 4, 5)', () => {
  for (const layerNorm of ['post', 'pre'] as const) {
    for (const train of [false, true]) {
      it(`ρ = 0 gives exactly the plain encoder (${layerNorm}-LN, ${train ? 'train mode, same dropout key' : 'eval mode'})`, () => {
        const config = routingConfig({ layerNorm });
        const out = run(config, (pr, b, k) => ({
          routed: routedEncode(pr, b, config, { route: tokenRoute(b.scores, 0) }, ctxOf(config, k, train)).last,
          plain: encode(pr, b, config, ctxOf(config, k, train)).last,
        }));
        expect(Array.from(out.routed.data)).toEqual(Array.from(out.plain.data));
      });
    }
  }

  it('with ρ > 0 the output differs from the plain encoder (the route is not a no-op)', () => {
    const config = routingConfig();
    const out = run(config, (pr, b) => ({
      routed: routedEncode(pr, b, config, { route: tokenRoute(b.scores, 3) }).last,
      plain: encode(pr, b, config).last,
    }));
    expect(Array.from(out.routed.data)).not.toEqual(Array.from(out.plain.data));
  });

  it('identity layers: route-and-merge returns the input; marked layers show which tokens took which path', () => {
    const config = routingConfig({ layers: 6 });
    const identity: LayerFunction = (_lp, x) => x;
    const marked: LayerFunction = (_lp, x, _m, _c, _ctx, i) => x.add(10 ** i); // layer i adds 10^i
    const out = run(config, (pr, b) => ({
      h0: embed(pr.embeddings, b, config),
      identity: routedEncode(pr, b, config, { route: tokenRoute(b.scores, 3) }, undefined, identity).last,
      marked: routedEncode(pr, b, config, { route: tokenRoute(b.scores, 3) }, undefined, marked).last,
      dropped: tokenRoute(b.scores, 3).dropped,
    }));
    expect(Array.from(out.identity.data)).toEqual(Array.from(out.h0.data));
    // m = 2: layers 0, 1 and 5 see every token; layers 2, 3, 4 only the kept ones
    const d = config.hidden;
    for (let i = 0; i < 14; i++) {
      const want = out.dropped.data[i] ? 1 + 10 + 1e5 : 111111;
      for (let c = 0; c < d; c++) expect(out.marked.data[i * d + c]! - out.h0.data[i * d + c]!).toBeCloseTo(want, 6);
    }
    expect(Array.from(out.dropped.data).filter(Boolean).length).toBe(6);
  });

  it('layer m cross-attends from the kept tokens to all tokens; layers m+1..L-2 see only kept tokens and their mask', () => {
    const config = routingConfig({ layers: 5 }); // m = 1: layer 1 cross-attention, 2-3 kept only, 4 full
    const calls: { layer: number; queries: number; context: number }[] = [];
    const spy: LayerFunction = (lp, x, keyMask, c, ctx, i, context) => {
      const out = encoderLayer(lp, x, keyMask, c, ctx, i, context);
      calls.push({ layer: i, queries: x.dim('seq'), context: (context ?? x).dim('seq') });
      return out;
    };
    const out = run(config, (pr, b) => {
      const r = routedEncode(pr, b, config, { route: tokenRoute(b.scores, 3) }, undefined, spy);
      return { keptMask: gatherKept(b.attentionMask, r.route), kept: r.route.kept };
    });
    expect(calls.map(({ layer, queries, context }) => [layer, queries, context])).toEqual([[0, 7, 7], [1, 4, 7], [2, 4, 4], [3, 4, 4], [4, 7, 7]]);
    // row 1 drops 1-3 (scores 5, 0.5, 5); its pads at 5 and 6 (pinned 1e4) are kept, and masked out among the kept
    expect(Array.from(out.kept.data.slice(4))).toEqual([0, 4, 5, 6]);
    expect(Array.from(out.keptMask.data.slice(4))).toEqual([1, 1, 0, 0]);
  });

  it("a dropped token's input to the last layer is exactly its layer-(m-1) output; kept tokens bring their layer-(L-2) output", () => {
    const config = routingConfig();
    const out = run(config, (pr, b, k) => {
      const r = routedEncode(pr, b, config, { route: tokenRoute(b.scores, 3) }, ctxOf(config, k, true));
      return { merged: r.merged, x: r.beforeRoute, kept: r.keptStates, keptIdx: r.route.kept, dropped: r.route.dropped };
    });
    const d = config.hidden;
    const T = 7;
    const K = T - 3;
    for (let b = 0; b < 2; b++) {
      for (let t = 0; t < T; t++) {
        const i = b * T + t;
        if (!out.dropped.data[i]) continue;
        expect(Array.from(out.merged.data.slice(i * d, (i + 1) * d))).toEqual(Array.from(out.x.data.slice(i * d, (i + 1) * d)));
      }
      for (let s = 0; s < K; s++) {
        const t = out.keptIdx.data[b * K + s]!;
        expect(Array.from(out.merged.data.slice((b * T + t) * d, (b * T + t + 1) * d))).toEqual(Array.from(out.kept.data.slice((b * K + s) * d, (b * K + s + 1) * d)));
      }
    }
  });

  for (const layerNorm of ['post', 'pre'] as const) {
    it(`cross-attention with K = all positions equals the self-attention layer (${layerNorm}-LN, train-mode dropout)`, () => {
      const config = routingConfig({ layerNorm });
      const out = run(config, (pr, b, k) => {
        const x = embed(pr.embeddings, b, config);
        const all = tokenRoute(b.scores, 0);
        const ctx = ctxOf(config, k, true);
        return {
          cross: encoderLayer(pr.layers[1]!, gatherKept(x, all), b.attentionMask, config, ctx, 1, x),
          self: encoderLayer(pr.layers[1]!, x, b.attentionMask, config, ctx, 1),
        };
      });
      expect(Array.from(out.cross.data)).toEqual(Array.from(out.self.data));
    });
  }

  it('routing starts at m = floor(L/2) - 1 and needs 0 <= m <= L - 2', () => {
    expect([2, 3, 4, 12, 24].map((L) => routeStartLayer(L))).toEqual([0, 0, 1, 5, 11]);
    expect(routeStartLayer(6, 4)).toBe(4);
    expect(() => routeStartLayer(1)).toThrow(TokenDroppingError);
    expect(() => routeStartLayer(6, 5)).toThrow(/routeStart must be an integer in \[0, 4\] for 6 layers, got 5/);
  });
});
