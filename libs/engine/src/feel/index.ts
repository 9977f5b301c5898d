export * from './feel.types';
export { compileExpression } from './compile';
export { expressionSource, isExpression } from './expression-text';
