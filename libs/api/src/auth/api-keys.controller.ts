import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RuntimeError, RuntimeErrorCode } from '@baton/runtime';
import { ApiJsonBody, ApiJsonResponse, ApiProblems, page } from '../http/openapi';
import { parse } from '../http/validation';
import { ApiKeyNameTaken, ApiKeyService, type ApiKeyRecord } from './api-keys';
import { ApiKeySchema, CreateApiKeyBody, CreatedApiKeySchema } from './api-keys.schemas';
import { tenantList } from './caller';

export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  readonly permissions: readonly string[];
  readonly tenants: readonly string[];
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** API keys, for admins (`npm run api-key` makes the first one). */
@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(@Inject(ApiKeyService) private readonly keys: ApiKeyService) {}

  @Post()
  @ApiOperation({ summary: 'Make an API key; the answer shows the key, this once' })
  @ApiJsonBody(CreateApiKeyBody)
  @ApiJsonResponse(201, CreatedApiKeySchema, 'The key and its record')
  @ApiProblems(400, 409)
  async create(@Body() body: unknown): Promise<ApiKeyView & { key: string }> {
    const input = parse(CreateApiKeyBody, body, 'body');
    try {
      const { record, key } = await this.keys.create({ ...input, tenants: tenantList(input.tenants) });
      return { ...view(record), key };
    } catch (e) {
      if (e instanceof ApiKeyNameTaken) throw new RuntimeError(RuntimeErrorCode.Conflict, e.message);
      throw e;
    }
  }

  @Get()
  @ApiOperation({ summary: 'Every API key (revoked ones too), without secrets' })
  @ApiJsonResponse(200, page(ApiKeySchema), 'The keys')
  async list(): Promise<{ items: ApiKeyView[]; nextCursor: null }> {
    return { items: (await this.keys.list()).map(view), nextCursor: null };
  }

  @Delete(':apiKeyId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key: it stops working at once' })
  @ApiParam({
    name: 'apiKeyId',
    required: true,
    description: "The key's id: the 12 hex characters after `baton_` (not a 64-bit key)",
    schema: { type: 'string', pattern: '^[0-9a-f]{12}$', example: '3f9c0a17b2e4' },
  })
  @ApiJsonResponse(200, ApiKeySchema, 'The revoked key')
  @ApiProblems(404)
  async revoke(@Param('apiKeyId') id: string): Promise<ApiKeyView> {
    const revoked = await this.keys.revoke(id);
    if (revoked === null) throw new RuntimeError(RuntimeErrorCode.NotFound, `no API key with id '${id}'`);
    return view(revoked);
  }
}

function view(r: ApiKeyRecord): ApiKeyView {
  return {
    id: r.id,
    name: r.name,
    permissions: r.permissions,
    tenants: r.tenants,
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
  };
}
