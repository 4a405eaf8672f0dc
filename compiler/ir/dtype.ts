/** Element types. f32 is evaluated in float64 by the reference interpreter. */
export type DType = 'f32' | 'i32' | 'u32' | 'bool';

export const DTYPES: readonly DType[] = ['f32', 'i32', 'u32', 'bool'];

export const isFloat = (d: DType): boolean => d === 'f32';
export const isInteger = (d: DType): boolean => d === 'i32' || d === 'u32';

/** Bytes per element in compiled backends. */
export const dtypeBytes = (d: DType): number => (d === 'bool' ? 1 : 4);
