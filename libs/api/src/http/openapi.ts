import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, ProblemSchema, STATUS_TITLES } from './problem';

/**
 * OpenAPI from the same zod schemas that validate requests (z.toJSONSchema),
 * so the document cannot drift from what the API accepts.
 */
export function schemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  return z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: 'any',
    // `format` says it; zod's regular expressions for uuid and date-time only add noise to the document.
    override: ({ jsonSchema }) => {
      if (jsonSchema.format === 'uuid' || jsonSchema.format === 'date-time') delete jsonSchema.pattern;
    },
  }) as SchemaObject;
}

export const ApiJsonBody = (schema: z.ZodType, description?: string) =>
  ApiBody({ schema: schemaOf(schema, 'input'), description, required: false });

export const ApiJsonResponse = (status: number, schema: z.ZodType, description: string) =>
  ApiResponse({ status, description, schema: schemaOf(schema) });

const problemSchema = schemaOf(ProblemSchema);

/** Error answers, as `application/problem+json`. */
export const ApiProblems = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: STATUS_TITLES[status] ?? 'Error',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
      }),
    ),
  );

/** One `ApiQuery` per key of a query schema. */
export const ApiQueryFrom = (schema: z.ZodObject) =>
  applyDecorators(
    ...Object.entries(schema.shape).map(([name, field]) =>
      ApiQuery({ name, required: !(field as z.ZodType).safeParse(undefined).success, schema: schemaOf(field as z.ZodType, 'input') }),
    ),
  );

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page') });
