import type {} from '@fastify/multipart';
import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  DEFAULT_TENANT,
  DefinitionQueryService,
  DefinitionRegistry,
  definitionView,
  deployedDmnView,
  isDmnDocument,
  RuntimeError,
  RuntimeErrorCode,
  type DecisionRequirementsView,
  type DecisionView,
  type DefinitionView,
  type Page,
} from '@baton/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ValidationError } from '@baton/engine';
import { ApiJsonResponse, ApiProblems, ApiProcessKeyParam, ApiQueryFrom, page, schemaOf } from '../http/openapi';
import { CurrentCaller } from '../auth/caller.decorator';
import { inTenant, tenantScope, type Caller } from '../auth/caller';
import { utf8 } from '../http/utf8';
import { parse } from '../http/validation';
import { DefinitionListQuery, DefinitionSchema, DeleteVersionQuery, DeployJsonBody, DeployResponse, VersionQuery } from './definitions.schemas';

@ApiTags('processes')
@Controller('processes')
export class DefinitionsController {
  constructor(
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
    @Inject(DefinitionQueryService) private readonly definitions: DefinitionQueryService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Deploy a BPMN (or DMN) document',
    description:
      'Each executable process becomes a new version of its key, unless its XML is identical to the latest version (then that version is returned). 201 when anything was new, 200 otherwise. A DMN document (root element in a DMN namespace, or a multipart file named `*.dmn`) deploys its decisions instead, as `POST /api/v1/decisions` does.',
    requestBody: {
      required: true,
      content: {
        'application/xml': { schema: { type: 'string', description: 'BPMN 2.0 XML' } },
        'multipart/form-data': {
          schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] },
        },
        'application/json': { schema: schemaOf(DeployJsonBody, 'input') },
      },
    },
  })
  @ApiJsonResponse(201, DeployResponse, 'Deployed; at least one process is new')
  @ApiJsonResponse(200, DeployResponse, 'Nothing new: the existing versions')
  @ApiProblems(400, 413, 415)
  async deploy(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{
    deploymentId: string;
    processes: DefinitionView[];
    warnings: readonly ValidationError[];
    decisionRequirements?: DecisionRequirementsView[];
    decisions?: DecisionView[];
  }> {
    const document = await documentOf(request);
    if (document.isDmn) {
      const deployed = await this.registry.decisions.deploy(document.xml, { name: document.name ?? 'decision.dmn' });
      void reply.status(deployed.created ? 201 : 200);
      return { deploymentId: deployed.deploymentId, processes: [], warnings: [], ...deployedDmnView(deployed.resources) };
    }
    const result = await this.registry.deploy(document.xml);
    void reply.status(result.created ? 201 : 200);
    return { deploymentId: result.deploymentId, processes: result.processes.map(definitionView), warnings: result.warnings };
  }

  @Get()
  @ApiOperation({ summary: 'The latest version of each process key, by key' })
  @ApiQueryFrom(DefinitionListQuery)
  @ApiJsonResponse(200, page(DefinitionSchema), 'A page of definitions')
  @ApiProblems(400)
  list(@Query() query: unknown, @CurrentCaller() caller: Caller): Promise<Page<DefinitionView>> {
    return this.definitions.listLatest({ ...parse(DefinitionListQuery, query, 'query'), tenants: tenantScope(caller) });
  }

  @Get(':key')
  @ApiOperation({ summary: 'A deployed version of a process (default the latest)' })
  @ApiProcessKeyParam()
  @ApiQueryFrom(VersionQuery)
  @ApiJsonResponse(200, DefinitionSchema, 'The definition')
  @ApiProblems(400, 404)
  get(@Param('key') key: string, @Query() query: unknown, @CurrentCaller() caller: Caller): Promise<DefinitionView> {
    const version = parse(VersionQuery, query, 'query').version;
    return this.definitions.get(key, version, defaultTenantOf(caller, key, version));
  }

  @Delete(':key')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a deployed version of a process',
    description:
      "As Camunda 8's resource deletion (`POST /v2/resources/{key}/deletion`): no instance starts on the version any more and its ended instances stay readable (`/xml?version=N` still answers its XML). A version with instances still running is refused (409), as Zeebe 8.8 refuses it. Deleting the latest version makes the one before it the latest again, its message, signal and timer start events active. Version numbers are never reused.",
  })
  @ApiProcessKeyParam()
  @ApiQueryFrom(DeleteVersionQuery)
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblems(400, 404, 409)
  async remove(@Param('key') key: string, @Query() query: unknown, @CurrentCaller() caller: Caller): Promise<void> {
    const version = parse(DeleteVersionQuery, query, 'query').version;
    const tenantId = defaultTenantOf(caller, key, version);
    const definition = await this.definitions.get(key, version, tenantId);
    if ((await this.registry.deleteVersion(definition.id, [tenantId])) === null) {
      throw RuntimeError.notFound(`version ${version} of process '${key}'`);
    }
  }

  @Get(':key/xml')
  @ApiOperation({ summary: 'The BPMN XML of a deployed version (default the latest)' })
  @ApiProcessKeyParam()
  @ApiQueryFrom(VersionQuery)
  @ApiProduces('application/xml')
  @ApiResponse({ status: 200, description: 'The XML as deployed', content: { 'application/xml': { schema: { type: 'string' } } } })
  @ApiProblems(400, 404)
  async xml(
    @Param('key') key: string,
    @Query() query: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentCaller() caller: Caller,
  ): Promise<string> {
    const version = parse(VersionQuery, query, 'query').version;
    const xml = await this.definitions.xml(key, version, defaultTenantOf(caller, key, version));
    void reply.header('content-type', 'application/xml; charset=utf-8');
    return xml;
  }
}

/**
 * `/api/v1` names processes of the default tenant only: a caller outside it
 * is answered as if the process did not exist (docs/security.md).
 */
function defaultTenantOf(caller: Caller, key: string, version: number | undefined): string {
  if (!inTenant(caller, DEFAULT_TENANT)) {
    throw RuntimeError.notFound(version === undefined ? `process '${key}'` : `version ${version} of process '${key}'`);
  }
  return DEFAULT_TENANT;
}

/**
 * The document of a deploy request, and whether it is DMN: a multipart file
 * named `*.dmn`, or a root element in a DMN namespace (the XML decides for a
 * raw or JSON body).
 */
export async function documentOf(request: FastifyRequest): Promise<{ xml: string; name?: string; isDmn: boolean }> {
  if (request.isMultipart()) {
    const { xml, name } = await multipartFile(request);
    return { xml, name, isDmn: /\.dmn$/i.test(name ?? '') || isDmnDocument(xml) };
  }
  const xml = await xmlOf(request);
  return { xml, isDmn: isDmnDocument(xml) };
}

/** The multipart field `file`, decoded as strict UTF-8, with its file name. */
async function multipartFile(request: FastifyRequest): Promise<{ xml: string; name?: string }> {
  const file = await request.file();
  if (file === undefined || file.fieldname !== 'file') {
    throw badRequest(`the multipart body has no file field 'file'`, 'file');
  }
  const text = utf8(await file.toBuffer());
  if (text instanceof RuntimeError) throw text;
  return { xml: text, name: file.filename || undefined };
}

/** The document from a raw XML body or JSON `{ xml }`. */
async function xmlOf(request: FastifyRequest): Promise<string> {
  const body = request.body;
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) {
    const text = utf8(body);
    if (text instanceof RuntimeError) throw text;
    return text;
  }
  if (body !== undefined && body !== null && typeof body === 'object') return parse(DeployJsonBody, body, 'body').xml;
  throw badRequest(
    `send the BPMN document as application/xml, as multipart field 'file', or as JSON { "xml": "..." }`,
    'body',
  );
}

const badRequest = (message: string, field: string): RuntimeError =>
  new RuntimeError(RuntimeErrorCode.BadRequest, message, [{ field, message }]);
