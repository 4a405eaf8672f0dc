import { describe, expect, it } from 'vitest';
import { dawnSuite } from './dawnChild.ts';

describe('webgpu backend in Node (Dawn on SwiftShader where there is no GPU)', () => {
  it('random graphs (forward and value-and-grad, small and larger axes) and integer/random-bit semantics agree with the interpreter', () => {
    const r = dawnSuite('agreement');
    expect(r.failures).toEqual([]);
    expect(r.checked).toBe(26);
  });
});
