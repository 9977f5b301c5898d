export * from './feel.types';
export { compileExpression, compileUnaryTests, quoteExpression } from './compile';
export { expressionSource, isExpression } from './expression-text';
