import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { applyMigrations, createPrismaClient, PrismaClient } from '../src';

export interface FreshSchema {
  /** DATABASE_URL with `?schema=<schema>`: hand it to anything that takes a store URL. */
  url: string;
  schema: string;
  /** Base URL without the schema parameter (for raw `pg` clients: set search_path yourself). */
  baseUrl: string;
  prisma: PrismaClient;
  /** Disconnects the client and drops the schema with everything in it. */
  drop(): Promise<void>;
}

export const TEST_DATABASE_URL =
  process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/test';

/**
 * A uniquely named Postgres schema with the real migrations applied, so
 * integration suites can run in parallel against one database. Call `drop()`
 * in afterAll.
 */
export async function freshSchema(
  options: { prefix?: string; poolSize?: number } = {},
): Promise<FreshSchema> {
  const prefix = (options.prefix ?? 'it')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 20);
  const schema = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const baseUrl = TEST_DATABASE_URL;
  const url = withSchema(baseUrl, schema);
  try {
    await applyMigrations({ url });
  } catch (e) {
    await dropSchema(baseUrl, schema).catch(() => undefined);
    throw e;
  }
  const prisma = createPrismaClient({ url, poolSize: options.poolSize ?? 4 });
  return {
    url,
    schema,
    baseUrl,
    prisma,
    async drop() {
      await prisma.$disconnect();
      await dropSchema(baseUrl, schema);
    },
  };
}

function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
