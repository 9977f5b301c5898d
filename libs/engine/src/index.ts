export * from './feel';
export * from './model/model.types';
export * from './runtime/runtime.types';
