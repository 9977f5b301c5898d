import { StoreError, StoreErrorCode } from './store-error';

export interface DatabaseTarget {
  /** The URL without Prisma's `?schema=` parameter (which pg would ignore). */
  connectionString: string;
  /** The Postgres schema, when one was asked for (option or `?schema=`). */
  schema?: string;
}

// Quoted into `search_path` and into DDL, so kept to plain identifiers.
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Splits `?schema=` off a Postgres URL; an explicit `schema` wins over it. */
export function databaseTarget(url: string | undefined, schema?: string): DatabaseTarget {
  if (!url) {
    throw new StoreError(
      StoreErrorCode.InvalidConfig,
      'DATABASE_URL is not set (a postgresql:// URL is required).',
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError(
      StoreErrorCode.InvalidConfig,
      'DATABASE_URL is not a valid URL (expected postgresql://user@host:port/db).',
    );
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new StoreError(
      StoreErrorCode.InvalidConfig,
      `DATABASE_URL must start with postgresql:// (got ${parsed.protocol}//...).`,
    );
  }
  const fromUrl = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  const name = schema || fromUrl;
  if (name !== undefined && !SCHEMA_NAME.test(name)) {
    throw new StoreError(
      StoreErrorCode.InvalidConfig,
      `Invalid schema name ${JSON.stringify(name)}: use letters, digits and underscores, at most 63 characters.`,
    );
  }
  return { connectionString: parsed.toString(), schema: name };
}
