// float32x4 transcendental functions for generated kernels, as wasm code. Each takes its argument
// as code, spills it to locals it allocates, and leaves the result on the stack.
import { type Code, type Local, get, i32, seq, set } from '../wasm/emitter.ts';
import {
  f32x4Abs, f32x4Add, f32x4Const as C, f32x4Div, f32x4Gt, f32x4Lt, f32x4Max, f32x4Min, f32x4Mul, f32x4Nearest, f32x4Neg, f32x4Sub,
  f32x4ConvertI32x4S, f32x4Eq, f32x4Ne, v128And, v128Or, i32x4Add, i32x4Const, i32x4Shl, i32x4ShrS, i32x4ShrU, i32x4Sub, i32x4TruncSatF32x4S, v128Bitselect,
} from './ops.ts';

export type NewLocal = () => Local;

/** Horner evaluation of c[0] + x (c[1] + x (c[2] + ...)). */
function poly(x: Local, coefs: readonly number[]): Code {
  let acc: Code = C(coefs[coefs.length - 1]!);
  for (let i = coefs.length - 2; i >= 0; i--) acc = f32x4Add(C(coefs[i]!), f32x4Mul(get(x), acc));
  return acc;
}

/** 2^n for integer lanes n in [-126, 127], built in the exponent bits. */
const pow2 = (n: Code): Code => i32x4Shl(i32x4Add(n, i32x4Const(127)), i32(23));

/**
 * e^x (Cephes expf: x = n ln2 + r, |r| <= ln2/2, degree-5 polynomial): about 1 ulp. 2^n is
 * applied as two factors 2^(n>>1) · 2^(n - n>>1) so that results down to the smallest subnormal
 * and up to FLT_MAX come out right. Overflow gives +Infinity, x < -103.97 gives 0, NaN stays NaN.
 */
export function expF32x4(x: Code, local: NewLocal): Code {
  const xin = local();
  const xc = local();
  const fx = local();
  const r = local();
  const y = local();
  const n = local();
  const half = local();
  return seq(
    set(xin, x),
    set(xc, f32x4Max(f32x4Min(get(xin), C(88.72283935546875)), C(-103.97))),
    set(fx, f32x4Nearest(f32x4Mul(get(xc), C(1.4426950408889634)))),
    set(r, f32x4Sub(f32x4Sub(get(xc), f32x4Mul(get(fx), C(0.693359375))), f32x4Mul(get(fx), C(-2.12194440e-4)))),
    set(y, poly(r, [5.0000001201e-1, 1.6666665459e-1, 4.1665795894e-2, 8.3334519073e-3, 1.3981999507e-3, 1.9875691500e-4])),
    set(n, i32x4TruncSatF32x4S(get(fx))),
    set(half, i32x4ShrS(get(n), i32(1))),
    // (p(r) r² + r + 1) · 2^(n>>1) · 2^(n - n>>1)
    v128Bitselect(
      C(Infinity),
      v128Bitselect(
        C(0),
        f32x4Mul(
          f32x4Mul(f32x4Add(f32x4Add(f32x4Mul(get(y), f32x4Mul(get(r), get(r))), get(r)), C(1)), pow2(get(half))),
          pow2(i32x4Sub(get(n), get(half))),
        ),
        f32x4Lt(get(xin), C(-103.97)),
      ),
      f32x4Gt(get(xin), C(88.72283935546875)),
    ),
  );
}

/**
 * Natural log (Cephes logf: x = m 2^e with m in [√½, √2), log(1 + f) by a degree-8 polynomial):
 * about 1 ulp. Subnormals are scaled up first; log 0 = -Infinity, log of a negative or NaN is NaN,
 * log Infinity = Infinity.
 */
export function logF32x4(x: Code, local: NewLocal): Code {
  const xin = local();
  const small = local();
  const bits = local();
  const e = local();
  const m = local();
  const lt = local();
  const z = local();
  const y = local();
  const MANTISSA = 0x807fffff | 0;
  return seq(
    set(xin, x),
    set(small, f32x4Lt(get(xin), C(1.1754943508222875e-38))),
    set(bits, v128Bitselect(f32x4Mul(get(xin), C(8388608)), get(xin), get(small))),
    // exponent with m in [0.5, 1), minus 23 where the argument was scaled by 2^23
    set(e, f32x4Sub(f32x4ConvertI32x4S(i32x4Sub(i32x4ShrU(get(bits), i32(23)), i32x4Const(126))), v128And(get(small), C(23)))),
    set(m, v128Or(v128And(get(bits), i32x4Const(MANTISSA)), i32x4Const(0x3f000000))),
    // m < √½: use 2m - 1 and e - 1, else m - 1
    set(lt, f32x4Lt(get(m), C(0.707106781186547524))),
    set(e, f32x4Sub(get(e), v128And(get(lt), C(1)))),
    set(m, f32x4Add(f32x4Sub(get(m), C(1)), v128And(get(lt), get(m)))),
    set(z, f32x4Mul(get(m), get(m))),
    set(y, f32x4Mul(f32x4Mul(get(m), get(z)), poly(m, [
      3.3333331174e-1, -2.4999993993e-1, 2.0000714765e-1, -1.6668057665e-1, 1.4249322787e-1, -1.2420140846e-1, 1.1676998740e-1, -1.1514610310e-1, 7.0376836292e-2,
    ]))),
    set(y, f32x4Sub(f32x4Add(get(y), f32x4Mul(get(e), C(-2.12194440e-4))), f32x4Mul(get(z), C(0.5)))),
    set(y, f32x4Add(f32x4Add(get(m), get(y)), f32x4Mul(get(e), C(0.693359375)))),
    // specials: 0 -> -Infinity, Infinity -> Infinity, negative -> NaN, NaN -> NaN
    v128Bitselect(
      get(xin),
      v128Bitselect(C(NaN), v128Bitselect(C(-Infinity), get(y), f32x4Eq(get(xin), C(0))), f32x4Lt(get(xin), C(0))),
      v128Or(f32x4Ne(get(xin), get(xin)), f32x4Eq(get(xin), C(Infinity))),
    ),
  );
}

/** tanh by a rational fit (Eigen's float tanh), |error| < 3e-7, clamped beyond ±7.9. */
export function tanhF32x4(x: Code, local: NewLocal): Code {
  const c = local();
  const x2 = local();
  return seq(
    set(c, f32x4Max(f32x4Min(x, C(7.90531110763549805)), C(-7.90531110763549805))),
    set(x2, f32x4Mul(get(c), get(c))),
    f32x4Div(
      f32x4Mul(get(c), poly(x2, [4.89352455891786e-3, 6.37261928875436e-4, 1.48572235717979e-5, 5.12229709037114e-8, -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16])),
      poly(x2, [4.89352518554385e-3, 2.26843463243900e-3, 1.18534705686654e-4, 1.19825839466702e-6]),
    ),
  );
}

/**
 * erf within ~2e-7: Taylor series for |x| < 0.5 (keeps relative accuracy near 0), Numerical
 * Recipes' Chebyshev fit of erfc elsewhere — the same function as the JavaScript kernels' erf32.
 */
export function erfF32x4(x: Code, local: NewLocal): Code {
  const xv = local();
  const ax = local();
  const x2 = local();
  const t = local();
  const big = local();
  return seq(
    set(xv, x),
    set(ax, f32x4Abs(get(xv))),
    set(x2, f32x4Mul(get(xv), get(xv))),
    set(t, f32x4Div(C(1), f32x4Add(C(1), f32x4Mul(C(0.5), get(ax))))),
    // 1 - t exp(-x² - 1.26551223 + t (1.00002368 + t (...)))
    set(
      big,
      f32x4Sub(
        C(1),
        f32x4Mul(
          get(t),
          expF32x4(
            f32x4Add(f32x4Sub(f32x4Neg(get(x2)), C(1.26551223)), f32x4Mul(get(t), poly(t, [1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277]))),
            local,
          ),
        ),
      ),
    ),
    v128Bitselect(
      f32x4Mul(get(xv), f32x4Mul(C(1.1283791670955126), poly(x2, [1, -1 / 3, 1 / 10, -1 / 42, 1 / 216, -1 / 1320]))),
      v128Bitselect(f32x4Neg(get(big)), get(big), f32x4Lt(get(xv), C(0))),
      f32x4Lt(get(ax), C(0.5)),
    ),
  );
}
