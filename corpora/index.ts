// corpora: text and PCFG data as plain typed arrays and pure functions — corpus reading,
// tokenization, sequence building, masking, sharded datasets. Depends on prng/ and util/ only.
export * from './text/index.ts';
export * from './tokenizer/index.ts';
export * from './sequences/index.ts';
export * from './masking/index.ts';
export * from './dataset/index.ts';
