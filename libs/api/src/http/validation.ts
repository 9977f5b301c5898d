import { RuntimeError, RuntimeErrorCode } from '@baton/runtime';
import { z } from 'zod';

export type Source = 'body' | 'query' | 'header';

/**
 * Validates request input against a zod schema; a failure is a 400 naming
 * every offending field (`errors: [{ field, message }]`). Controllers call it
 * directly: it is the whole validation layer (no class-validator: zod schemas
 * also generate the OpenAPI document, so the two cannot drift).
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown, source: Source): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({ field: fieldOf(issue, source), message: issue.message }));
  throw new RuntimeError(
    RuntimeErrorCode.BadRequest,
    `invalid request ${source}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    errors,
  );
}

function fieldOf(issue: z.core.$ZodIssue, source: Source): string {
  const path = issue.path.map(String);
  // An unknown key is reported on the object holding it; name the key itself.
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => [...path, k].join('.')).join(', ');
  return path.length > 0 ? path.join('.') : source;
}

/**
 * Page size from the query string: decimal digits only (`0x10`, `1e2` or a
 * repeated `limit` are refused, not guessed at). Default 50, at most 1000.
 */
export const limitParam = z
  .string()
  .regex(/^[0-9]{1,4}$/, 'must be a whole number from 1 to 1000 in decimal digits')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be a whole number from 1 to 1000').max(1000, 'must be a whole number from 1 to 1000'))
  .optional()
  .transform((v) => v ?? 50)
  .describe('Page size, 1..1000 (default 50)');

export const variablesSchema = z
  .record(z.string(), z.unknown())
  .describe('Variables by name; each value is any JSON value');

/** A 64-bit key as clients see it: a decimal string (instances, jobs, tasks, incidents, definitions). */
export const keySchema = z
  .string()
  .regex(/^[1-9][0-9]{0,18}$/, 'must be a key (a positive 64-bit integer as a decimal string)')
  .describe('A 64-bit key as a decimal string')
  .meta({ example: '2251799813685249' });
