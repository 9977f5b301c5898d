import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseFilters } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import {
  BATCH_ITEM_STATES,
  BATCH_STATES,
  BatchService,
  RuntimeError,
  type BatchItemQuery,
  type BatchItemRecord,
  type BatchItemState,
  type BatchQuery,
  type BatchRecord,
  type BatchState,
  type BatchType,
} from '@baton/runtime';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import { parse } from '../http/validation';
import { V2Api, V2Body } from './v2-openapi';
import { V2ProblemFilter } from './v2-problem.filter';
import { keyParam, SearchBody } from './v2.schemas';

/** Camunda 8.8's batch operation requests: `{ filter }`, a process instance search filter. */
const BatchRequestBody = z.strictObject({ filter: z.record(z.string(), z.unknown()) });
/** Camunda 8.9's deletion request: the filter, and an `operationReference` (accepted, not kept). */
const DeletionRequestBody = z.strictObject({
  filter: z.record(z.string(), z.unknown()),
  operationReference: z.number().int().min(1).optional(),
});
const OptionalBatchRequestBody = z
  .strictObject({ filter: z.record(z.string(), z.unknown()).nullable().optional() })
  .nullable()
  .optional();

/** The types Camunda 8.8 knows; Baton's own (suspend, resume, set variables) are left out of /v2 searches. */
const CAMUNDA_TYPES: readonly BatchType[] = ['CANCEL_PROCESS_INSTANCE', 'RESOLVE_INCIDENT', 'MIGRATE_PROCESS_INSTANCE', 'DELETE_PROCESS_INSTANCE'];

/** Baton's item states as Camunda names them: a PENDING item is ACTIVE. */
const ITEM_STATE: Record<BatchItemState, string> = {
  PENDING: 'ACTIVE',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  SKIPPED: 'SKIPPED',
};

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

/**
 * Camunda 8.8's batch operations (`/v2/process-instances/cancellation`,
 * `/incident-resolution`, 8.9's `/deletion`, `/v2/batch-operations/**`,
 * `/v2/batch-operation-items/search`) over Baton's batches (README
 * "Operate"). The filter is the process instance search's, confined to the
 * caller's tenants.
 */
@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2')
export class V2BatchOperationsController {
  constructor(@Inject(BatchService) private readonly batches: BatchService) {}

  @Post('process-instances/cancellation')
  @V2Body(BatchRequestBody)
  @HttpCode(200)
  async cancelInstances(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    const { filter } = parse(BatchRequestBody, body, 'body');
    return created(
      await this.batches.create({
        type: 'CANCEL_PROCESS_INSTANCE',
        filter: { kind: 'v2', filter },
        tenants: tenantScope(caller),
      }),
    );
  }

  @Post('process-instances/incident-resolution')
  @V2Body(OptionalBatchRequestBody)
  @HttpCode(200)
  async resolveIncidents(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    const filter = parse(OptionalBatchRequestBody, body, 'body')?.filter ?? {};
    return created(
      await this.batches.create({
        type: 'RESOLVE_INCIDENT',
        filter: { kind: 'v2', filter },
        tenants: tenantScope(caller),
      }),
    );
  }

  /** Camunda 8.9: deletes the ended instances the filter matches, with their history; a running one is a FAILED item. */
  @Post('process-instances/deletion')
  @ApiOperation({
    summary: 'Camunda 8.9 `deleteProcessInstancesBatchOperation`',
    description:
      'As Camunda 8.9 specifies it: deletes the COMPLETED and CANCELED instances the filter matches with their history; a running one is a FAILED item. docs/camunda-clients.md has the details.',
  })
  @V2Body(DeletionRequestBody)
  @HttpCode(200)
  async deleteInstances(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    const { filter } = parse(DeletionRequestBody, body, 'body');
    return created(
      await this.batches.create({
        type: 'DELETE_PROCESS_INSTANCE',
        filter: { kind: 'v2', filter },
        tenants: tenantScope(caller),
      }),
    );
  }

  @Get('batch-operations/:batchOperationKey')
  async get(@Param('batchOperationKey') key: string, @CurrentCaller() caller: Caller): Promise<object> {
    return batchOperationView(await this.batches.get(keyParam('batchOperationKey', key), tenantScope(caller)));
  }

  @Post('batch-operations/:batchOperationKey/cancellation')
  @HttpCode(204)
  async cancel(@Param('batchOperationKey') key: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.batches.cancel(keyParam('batchOperationKey', key), tenantScope(caller));
  }

  @Post('batch-operations/:batchOperationKey/suspension')
  @HttpCode(204)
  async suspend(@Param('batchOperationKey') key: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.batches.suspend(keyParam('batchOperationKey', key), tenantScope(caller));
  }

  @Post('batch-operations/:batchOperationKey/resumption')
  @HttpCode(204)
  async resume(@Param('batchOperationKey') key: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.batches.resume(keyParam('batchOperationKey', key), tenantScope(caller));
  }

  @Post('batch-operations/search')
  @V2Body(SearchBody)
  @HttpCode(200)
  async search(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    const request = parse(SearchBody, body, 'body') ?? {};
    checkSort(request.sort, 'batchOperationKey');
    const filter = request.filter ?? {};
    const query: BatchQuery = {
      limit: MAX_LIMIT + 1,
      keys: keysOf(filter, 'batchOperationKey'),
      types: (valuesOf(filter, 'operationType') as BatchType[] | undefined) ?? CAMUNDA_TYPES,
      states: stateValues(filter, 'state', BATCH_STATES, (s) => s) as BatchState[] | undefined,
      tenants: tenantScope(caller),
    };
    knownFields(filter, ['batchOperationKey', 'operationType', 'state']);
    const descending = request.sort?.[0]?.order?.toLowerCase() !== 'asc';
    const rows = await this.batches.list(query);
    const ordered = descending ? rows : rows.reverse();
    return paged(ordered, request.page, (b) => b.key, batchOperationView);
  }

  @Post('batch-operation-items/search')
  @V2Body(SearchBody)
  @HttpCode(200)
  async searchItems(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    const request = parse(SearchBody, body, 'body') ?? {};
    checkSort(request.sort, 'batchOperationKey', 'itemKey');
    const filter = request.filter ?? {};
    knownFields(filter, ['batchOperationKey', 'itemKey', 'processInstanceKey', 'state']);
    const query: BatchItemQuery = {
      limit: MAX_LIMIT + 1,
      batchKeys: keysOf(filter, 'batchOperationKey'),
      itemKeys: keysOf(filter, 'itemKey'),
      instanceIds: keysOf(filter, 'processInstanceKey'),
      states: stateValues(
        filter,
        'state',
        BATCH_ITEM_STATES,
        (s) => ITEM_STATE[s as BatchItemState],
      ) as BatchItemState[] | undefined,
      tenants: tenantScope(caller),
    };
    const rows = await this.batches.items(query);
    return paged(rows, request.page, (i) => `${i.batchKey}:${i.itemKey}`, batchOperationItemView);
  }
}

const created = (b: BatchRecord): object => ({
  batchOperationKey: b.key,
  batchOperationType: b.type,
});

function batchOperationView(b: BatchRecord): object {
  return {
    batchOperationKey: b.key,
    state: b.state,
    batchOperationType: b.type,
    startDate: b.createdAt.toISOString(),
    ...(b.endedAt === null ? {} : { endDate: b.endedAt.toISOString() }),
    operationsTotalCount: b.counts.total,
    operationsFailedCount: b.counts.failed,
    operationsCompletedCount: b.counts.completed,
    errors: [],
  };
}

function batchOperationItemView(i: BatchItemRecord): object {
  return {
    operationType: i.type,
    batchOperationKey: i.batchKey,
    itemKey: i.itemKey,
    processInstanceKey: i.instanceId,
    state: ITEM_STATE[i.state],
    ...(i.processedAt === null ? {} : { processedDate: i.processedAt.toISOString() }),
    ...(i.error === null ? {} : { errorMessage: i.error }),
  };
}

type Page = NonNullable<z.infer<typeof SearchBody>>['page'];

/** Offset (`from`) or cursor (`after`, the last row's cursor) paging over rows already in order, at most 10,000. */
function paged<R>(
  rows: readonly R[],
  page: Page,
  keyOf: (row: R) => string,
  view: (row: R) => object,
): object {
  // Camunda's cursors are base64 strings.
  const cursorOf = (row: R): string => Buffer.from(keyOf(row), 'utf8').toString('base64');
  const limit = page?.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT)
    throw RuntimeError.badRequest('page.limit', `page.limit must be from 0 to ${MAX_LIMIT}`);
  if (page?.before !== undefined && page.before !== null)
    throw RuntimeError.badRequest(
      'page.before',
      'page.before is not supported by this search; use page.after',
    );
  let start = page?.from ?? 0;
  if (page?.after !== undefined && page.after !== null) {
    const at = rows.findIndex((r) => cursorOf(r) === page.after);
    if (at < 0)
      throw RuntimeError.badRequest('page.after', 'page.after is not a cursor of this search');
    start = at + 1;
  }
  const shown = rows.slice(start, start + limit);
  const first = shown[0];
  const last = shown[shown.length - 1];
  return {
    items: shown.map(view),
    page: {
      totalItems: Math.min(rows.length, MAX_LIMIT),
      hasMoreTotalItems: rows.length > MAX_LIMIT,
      ...(first === undefined ? {} : { startCursor: cursorOf(first) }),
      ...(last === undefined ? {} : { endCursor: cursorOf(last) }),
    },
  };
}

function knownFields(filter: Readonly<Record<string, unknown>>, known: readonly string[]): void {
  for (const name of Object.keys(filter)) {
    if (!known.includes(name))
      throw RuntimeError.badRequest(
        `filter.${name}`,
        `unknown filter field '${name}'; this search filters by ${known.join(', ')}`,
      );
  }
}

function checkSort(
  sort: readonly { field: string; order?: string | null }[] | null | undefined,
  ...fields: string[]
): void {
  for (const [i, s] of (sort ?? []).entries()) {
    if (!fields.includes(s.field))
      throw RuntimeError.badRequest(
        `sort[${i}].field`,
        `this search sorts by ${fields.join(', ')} only, not '${s.field}'`,
      );
  }
}

/** A field's values: a plain value, `{ $eq }` or `{ $in }` (the operators the batch searches offer). */
function valuesOf(filter: Readonly<Record<string, unknown>>, name: string): string[] | undefined {
  const raw = filter[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return [raw];
  if (typeof raw === 'object' && !Array.isArray(raw)) {
    const ops = raw as Record<string, unknown>;
    const [op, ...more] = Object.keys(ops);
    if (more.length === 0 && op === '$eq' && typeof ops.$eq === 'string') return [ops.$eq];
    if (
      more.length === 0 &&
      op === '$in' &&
      Array.isArray(ops.$in) &&
      ops.$in.every((v) => typeof v === 'string')
    )
      return ops.$in as string[];
  }
  throw RuntimeError.badRequest(
    `filter.${name}`,
    `filter.${name} must be a string, { "$eq": string } or { "$in": [string] }`,
  );
}

function keysOf(filter: Readonly<Record<string, unknown>>, name: string): string[] | undefined {
  const values = valuesOf(filter, name);
  if (values === undefined) return undefined;
  for (const v of values) keyParam(`filter.${name}`, v);
  return values;
}

/** State filter values in Camunda's names, back to Baton's (unknown names match nothing, as in Camunda). */
function stateValues(
  filter: Readonly<Record<string, unknown>>,
  name: string,
  stored: readonly string[],
  camundaName: (s: string) => string,
): string[] | undefined {
  const values = valuesOf(filter, name);
  if (values === undefined) return undefined;
  return stored.filter((s) => values.includes(camundaName(s)));
}
