// Compression before cutting (docs/compression.md): pure steps over context chunks and history messages, the
// driver the optimizer runs, and the optimizer's compressed path.
export * from './comments';
export * from './compressToFit';
export * from './elide';
export * from './fitCompressed';
export * from './languages';
export * from './layout';
export * from './overlap';
export * from './repeats';
export * from './scanner';
export * from './shape';
export * from './types';
export * from './whitespace';
export * from './yamlScanner';
