import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PgAuditRepository } from '@baton/store';
import { z } from 'zod';
import { ApiJsonResponse, ApiProblems, ApiQueryFrom, page } from '../http/openapi';
import { limitParam, parse } from '../http/validation';

const instant = z.iso.datetime({ offset: true }).transform((v) => new Date(v));

const AuditQuery = z.strictObject({
  principal: z.string().min(1).max(200).optional(),
  route: z.string().min(1).max(300).optional().describe('A route pattern, such as `/api/v1/instances/:id/cancel`'),
  from: instant.optional().describe('Entries at or after this instant (ISO 8601)'),
  to: instant.optional().describe('Entries before this instant (ISO 8601)'),
  limit: limitParam,
  cursor: z.string().regex(/^[1-9][0-9]{0,18}$/, 'must be the nextCursor of a previous page').optional(),
});

const AuditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  principal: z.string(),
  via: z.string(),
  tenants: z.array(z.string()),
  method: z.string(),
  route: z.string(),
  targetId: z.string().nullable(),
  status: z.number().int(),
});

export interface AuditEntryView {
  readonly id: string;
  readonly at: string;
  readonly principal: string;
  readonly via: string;
  readonly tenants: readonly string[];
  readonly method: string;
  readonly route: string;
  readonly targetId: string | null;
  readonly status: number;
}

/** The audit log, newest first, for admins (docs/security.md). */
@ApiTags('audit-log')
@Controller('audit-log')
export class AuditLogController {
  constructor(@Inject(PgAuditRepository) private readonly audit: PgAuditRepository) {}

  @Get()
  @ApiOperation({ summary: 'Who did what: state-changing requests of authenticated callers, newest first' })
  @ApiQueryFrom(AuditQuery)
  @ApiJsonResponse(200, page(AuditEntrySchema), 'A page of entries')
  @ApiProblems(400)
  async list(@Query() query: unknown): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
    const q = parse(AuditQuery, query, 'query');
    const rows = await this.audit.list({ principal: q.principal, route: q.route, from: q.from, to: q.to, before: q.cursor, limit: q.limit + 1 });
    const items = rows.slice(0, q.limit).map((r) => ({ ...r, at: r.at.toISOString(), tenants: [...r.tenants] }));
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1].id : null };
  }
}
