import { bitsToUniform, threefry2x32Into, TAG_BITS, type Key } from '../../prng/index.ts';

const BLOCK_WORDS = 16;

/**
 * An unbounded stream of random uint32 words from a key, read one at a time without allocating:
 * word i is `randomBits(key, i + 1)[i]` (threefry of counter (floor(i/2), TAG_BITS)). Used where
 * the number of draws is not known in advance (sampling derivations). `reset` rewinds it onto a
 * new key so one stream object serves millions of sentences.
 */
export class BitStream {
  private k0 = 0;
  private k1 = 0;
  private counter = 0;
  private pos = BLOCK_WORDS;
  private readonly block = new Uint32Array(BLOCK_WORDS);

  constructor(k: Key) {
    this.reset(k);
  }

  reset(k: Key): void {
    this.k0 = k[0]!;
    this.k1 = k[1]!;
    this.counter = 0;
    this.pos = BLOCK_WORDS;
  }

  /** The next uint32 word. */
  nextBits(): number {
    if (this.pos === BLOCK_WORDS) {
      for (let c = 0; c < BLOCK_WORDS / 2; c++) {
        threefry2x32Into(this.k0, this.k1, (this.counter + c) >>> 0, TAG_BITS, this.block, 2 * c);
      }
      this.counter += BLOCK_WORDS / 2;
      this.pos = 0;
    }
    return this.block[this.pos++]!;
  }

  /** Uniform in [0, 1) from the next word (the same 24-bit conversion as prng's `uniform`). */
  nextUniform(): number {
    return bitsToUniform(this.nextBits());
  }

  /** Integer uniform in [0, n) (modulo bias below n / 2^32, as prng's `randint`). */
  nextInt(n: number): number {
    return this.nextBits() % n;
  }
}
