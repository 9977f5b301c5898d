export * from './feel.types';
export { compileExpression } from './compile';
