import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  BatchService,
  iso,
  isKey,
  pageOf,
  RuntimeError,
  type BatchItemRecord,
  type BatchRecord,
  type Page,
} from '@baton/runtime';
import type { z } from 'zod';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import {
  ApiJsonBody,
  ApiJsonResponse,
  ApiKeyParam,
  ApiProblems,
  ApiQueryFrom,
  page,
} from '../http/openapi';
import { parse } from '../http/validation';
import {
  BatchItemSchema,
  BatchItemsQuery,
  BatchListQuery,
  BatchSchema,
  CreateBatchBody,
} from './batches.schemas';

type BatchView = z.infer<typeof BatchSchema>;
type BatchItemView = z.infer<typeof BatchItemSchema>;

/**
 * Batch operations (README "Operate"): one action on every instance a filter
 * matches, run by the workers in chunks, with progress to poll. Camunda 8's
 * equivalents are under /v2 (`/v2/process-instances/cancellation`, ...).
 */
@ApiTags('batches')
@Controller('batches')
export class BatchesController {
  constructor(@Inject(BatchService) private readonly batches: BatchService) {}

  @Post()
  @ApiOperation({
    summary: 'Start a batch operation over the instances a filter matches',
    description:
      'The instances (for RESOLVE_INCIDENT their open incidents) are resolved now, once: instances that match later are not part of it. ' +
      'SET_VARIABLES merges `variables` into every instance; DELETE_PROCESS_INSTANCE deletes ended instances with their history (a running one is a FAILED item). ' +
      'The answer comes at once; the workers apply the items in chunks. Poll `GET /batches/{key}` for progress.',
  })
  @ApiJsonBody(CreateBatchBody)
  @ApiJsonResponse(201, BatchSchema, 'The batch, with the number of items it has')
  @ApiProblems(400)
  async create(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<BatchView> {
    const command = parse(CreateBatchBody, body, 'body');
    const batch = await this.batches.create({
      type: command.type,
      filter: { kind: 'v1', ...command.filter },
      retries: command.retries,
      ...(command.variables === undefined ? {} : { variables: command.variables }),
      tenants: tenantScope(caller),
      ...(command.migrationPlan === undefined
        ? {}
        : {
            migrationPlan: {
              targetDefinitionId: command.migrationPlan.targetDefinitionId,
              mappings: command.migrationPlan.mappings.map((m) => ({ sourceElementId: m.source, targetElementId: m.target })),
            },
          }),
    });
    return batchView(batch);
  }

  @Get()
  @ApiOperation({ summary: 'Batch operations, newest first' })
  @ApiQueryFrom(BatchListQuery)
  @ApiJsonResponse(200, page(BatchSchema), 'A page of batch operations')
  @ApiProblems(400)
  async list(@Query() query: unknown, @CurrentCaller() caller: Caller): Promise<Page<BatchView>> {
    const q = parse(BatchListQuery, query, 'query');
    const rows = await this.batches.list({ limit: q.limit + 1, before: q.cursor, tenants: tenantScope(caller) });
    return pageOf(rows, q.limit, batchView, (b) => b.key);
  }

  @Get(':key')
  @ApiOperation({ summary: 'A batch operation and its progress' })
  @ApiKeyParam('key', 'The batch key')
  @ApiJsonResponse(200, BatchSchema, 'The batch operation')
  @ApiProblems(404)
  async get(@Param('key') key: string, @CurrentCaller() caller: Caller): Promise<BatchView> {
    return batchView(await this.batches.get(key, tenantScope(caller)));
  }

  @Get(':key/items')
  @ApiOperation({
    summary: "A batch operation's items, in key order (`state=FAILED`: the failures and why)",
  })
  @ApiKeyParam('key', 'The batch key')
  @ApiQueryFrom(BatchItemsQuery)
  @ApiJsonResponse(200, page(BatchItemSchema), 'A page of items')
  @ApiProblems(400, 404)
  async items(@Param('key') key: string, @Query() query: unknown, @CurrentCaller() caller: Caller): Promise<Page<BatchItemView>> {
    const q = parse(BatchItemsQuery, query, 'query');
    const batch = await this.batches.get(key, tenantScope(caller));
    if (q.cursor !== undefined && !isKey(q.cursor))
      throw RuntimeError.badRequest('cursor', 'cursor must be an item key');
    const rows = await this.batches.items({
      limit: q.limit + 1,
      batchKeys: [batch.key],
      states: q.state === undefined ? undefined : [q.state],
      after: q.cursor === undefined ? undefined : { batchKey: batch.key, itemKey: q.cursor },
    });
    return pageOf(rows, q.limit, itemView, (i) => i.itemKey);
  }

  @Post(':key/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a batch operation: items not processed yet are skipped',
    description: 'Items already applied stay applied. 409 when the batch has ended.',
  })
  @ApiKeyParam('key', 'The batch key')
  @ApiJsonResponse(200, BatchSchema, 'The batch, CANCELED')
  @ApiProblems(404, 409)
  async cancel(@Param('key') key: string, @CurrentCaller() caller: Caller): Promise<BatchView> {
    return batchView(await this.batches.cancel(key, tenantScope(caller)));
  }

  @Post(':key/suspend')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Suspend (pause) a batch operation',
    description:
      'Chunks stop at their next look at the batch; items being applied finish. 409 unless ACTIVE.',
  })
  @ApiKeyParam('key', 'The batch key')
  @ApiJsonResponse(200, BatchSchema, 'The batch, SUSPENDED')
  @ApiProblems(404, 409)
  async suspend(@Param('key') key: string, @CurrentCaller() caller: Caller): Promise<BatchView> {
    return batchView(await this.batches.suspend(key, tenantScope(caller)));
  }

  @Post(':key/resume')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resume a suspended batch operation',
    description: 'Its pending items are queued again. 409 unless SUSPENDED.',
  })
  @ApiKeyParam('key', 'The batch key')
  @ApiJsonResponse(200, BatchSchema, 'The batch, ACTIVE again')
  @ApiProblems(404, 409)
  async resume(@Param('key') key: string, @CurrentCaller() caller: Caller): Promise<BatchView> {
    return batchView(await this.batches.resume(key, tenantScope(caller)));
  }
}

export function batchView(b: BatchRecord): BatchView {
  return {
    key: b.key,
    type: b.type,
    state: b.state,
    filter: (b.filter ?? {}) as Record<string, unknown>,
    retries: b.retries,
    ...(b.variables == null ? {} : { variables: b.variables }),
    createdAt: b.createdAt.toISOString(),
    endedAt: iso(b.endedAt),
    ...b.counts,
  };
}

function itemView(i: BatchItemRecord): BatchItemView {
  return {
    itemKey: i.itemKey,
    instanceId: i.instanceId,
    state: i.state,
    error: i.error,
    processedAt: iso(i.processedAt),
  };
}
