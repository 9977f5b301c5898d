// jose ships ESM only, its types behind the `exports` map, which this repository's
// TypeScript resolution (`moduleResolution: node`) does not read. So the types come
// from their file, and the module from Node's own resolution at run time (require of
// an ES module: Node >= 20.19; tsx and Jest transform it).
import type * as Jose from 'jose/dist/types/index';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const jose = require('jose') as typeof Jose;
export type { CryptoKey, JWTPayload, JWTVerifyGetKey } from 'jose/dist/types/index';
