export * from './text-features.ts';
export * from './reader-model.ts';
export { FeatureIndex } from './feature-index.ts';
