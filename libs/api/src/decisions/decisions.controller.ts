import type {} from '@fastify/multipart';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  DecisionService,
  DefinitionRegistry,
  decisionView,
  deployedDmnView,
  RuntimeError,
  RuntimeErrorCode,
  type DecisionEvaluationResult,
  type DecisionInstanceView,
  type DecisionRequirementsView,
  type DecisionView,
  type Page,
} from '@baton/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import { documentOf } from '../definitions/definitions.controller';
import { DeleteVersionQuery, VersionQuery } from '../definitions/definitions.schemas';
import { ApiJsonBody, ApiJsonResponse, ApiKeyParam, ApiProblems, ApiQueryFrom, page, schemaOf } from '../http/openapi';
import { parse } from '../http/validation';
import {
  DecisionInstanceSchema,
  DecisionListQuery,
  DecisionSchema,
  DeployDecisionsJsonBody,
  DeployDecisionsResponse,
  EvaluateDecisionBody,
  EvaluationSchema,
} from './decisions.schemas';

/** The `{key}` path parameter of decision routes: the DMN `<decision id>`. */
const ApiDecisionKeyParam = () =>
  ApiParam({ name: 'key', required: true, description: 'The DMN `<decision id>` of a deployed decision', schema: { type: 'string', example: 'dish' } });

/** Baton's `/api/v1` for DMN decisions: deploy, list, read, evaluate; and what an instance's business rule tasks evaluated. */
@ApiTags('decisions')
@Controller()
export class DecisionsController {
  constructor(
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
    @Inject(DecisionService) private readonly decisions: DecisionService,
  ) {}

  @Post('decisions')
  @ApiOperation({
    summary: 'Deploy a DMN document',
    description:
      'The document (DMN 1.1 - 1.5) becomes a new version of its decision requirements id, and each of its decisions a new version of its decision id, unless the XML is identical to the latest version (then those versions are returned). 201 when anything was new, 200 otherwise.',
    requestBody: {
      required: true,
      content: {
        'application/xml': { schema: { type: 'string', description: 'DMN XML' } },
        'multipart/form-data': {
          schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] },
        },
        'application/json': { schema: schemaOf(DeployDecisionsJsonBody, 'input') },
      },
    },
  })
  @ApiJsonResponse(201, DeployDecisionsResponse, 'Deployed; the document is new')
  @ApiJsonResponse(200, DeployDecisionsResponse, 'Nothing new: the existing versions')
  @ApiProblems(400, 413, 415)
  async deploy(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ deploymentId: string; processes: never[]; decisionRequirements: DecisionRequirementsView[]; decisions: DecisionView[] }> {
    const document = await documentOf(request);
    if (!document.isDmn) {
      throw new RuntimeError(RuntimeErrorCode.InvalidDefinition, 'the document is not DMN: its root element is not in a DMN namespace', [
        { elementId: null, elementType: null, message: 'not a DMN document (deploy BPMN with POST /api/v1/processes)' },
      ]);
    }
    const deployed = await this.registry.decisions.deploy(document.xml, { name: document.name ?? 'decision.dmn' });
    void reply.status(deployed.created ? 201 : 200);
    return { deploymentId: deployed.deploymentId, processes: [], ...deployedDmnView(deployed.resources) };
  }

  @Get('decisions')
  @ApiOperation({ summary: 'The latest version of each decision, by decision id' })
  @ApiQueryFrom(DecisionListQuery)
  @ApiJsonResponse(200, page(DecisionSchema), 'A page of decisions')
  @ApiProblems(400)
  list(@Query() query: unknown, @CurrentCaller() caller: Caller): Promise<Page<DecisionView>> {
    return this.decisions.listLatest({ ...parse(DecisionListQuery, query, 'query'), tenants: tenantScope(caller) });
  }

  @Get('decisions/:key')
  @ApiOperation({ summary: 'A deployed version of a decision (default the latest)' })
  @ApiDecisionKeyParam()
  @ApiQueryFrom(VersionQuery)
  @ApiJsonResponse(200, DecisionSchema, 'The decision')
  @ApiProblems(400, 404)
  async get(@Param('key') key: string, @Query() query: unknown): Promise<DecisionView> {
    return decisionView(await this.decisions.get(key, parse(VersionQuery, query, 'query').version));
  }

  @Delete('decisions/:key')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete the DMN document version a decision version belongs to',
    description:
      "As Camunda 8's resource deletion of decision requirements (`POST /v2/resources/{key}/deletion`): the document version goes with every decision it holds. Nothing evaluates them any more (by id, the version before answers), their past evaluations stay readable, and version numbers are never reused.",
  })
  @ApiDecisionKeyParam()
  @ApiQueryFrom(DeleteVersionQuery)
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblems(400, 404)
  async remove(@Param('key') key: string, @Query() query: unknown, @CurrentCaller() caller: Caller): Promise<void> {
    const version = parse(DeleteVersionQuery, query, 'query').version;
    const decision = await this.decisions.get(key, version);
    if ((await this.registry.decisions.deleteRequirements(decision.decisionRequirementsKey, tenantScope(caller))) === null) {
      throw RuntimeError.notFound(`version ${version} of decision '${key}'`);
    }
  }

  @Get('decisions/:key/xml')
  @ApiOperation({ summary: 'The DMN XML a deployed version of a decision belongs to (default the latest)' })
  @ApiDecisionKeyParam()
  @ApiQueryFrom(VersionQuery)
  @ApiProduces('application/xml')
  @ApiResponse({ status: 200, description: 'The XML as deployed', content: { 'application/xml': { schema: { type: 'string' } } } })
  @ApiProblems(400, 404)
  async xml(@Param('key') key: string, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const xml = await this.decisions.xml(await this.decisions.get(key, parse(VersionQuery, query, 'query').version));
    void reply.header('content-type', 'application/xml; charset=utf-8');
    return xml;
  }

  @Post('decisions/:key/evaluation')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Evaluate a decision with variables',
    description:
      'Evaluates the latest (or a given) version. A failed evaluation is answered too (200), with `failedDecisionId` and `failureMessage`, as Camunda 8 does; either way it is recorded as a decision instance.',
  })
  @ApiDecisionKeyParam()
  @ApiJsonBody(EvaluateDecisionBody, { required: false, description: 'Optional: no body evaluates the latest version without variables' })
  @ApiJsonResponse(200, EvaluationSchema, 'The evaluation: the output, or the failure')
  @ApiProblems(400, 404)
  async evaluate(@Param('key') key: string, @Body() body: unknown): Promise<object> {
    const request = parse(EvaluateDecisionBody, body ?? {}, 'body');
    const decision = await this.decisions.get(key, request.version);
    return evaluationView(await this.decisions.evaluate(decision, request.variables ?? {}));
  }

  @Get('instances/:id/decisions')
  @ApiOperation({ summary: 'The decisions business rule tasks of an instance evaluated (inputs, matched rules, outputs), oldest first' })
  @ApiKeyParam('id', 'The instance id')
  @ApiJsonResponse(200, z.object({ items: z.array(DecisionInstanceSchema) }), 'The decision evaluations')
  @ApiProblems(404)
  async ofInstance(@Param('id') id: string): Promise<{ items: DecisionInstanceView[] }> {
    return { items: await this.decisions.ofInstance(id) };
  }
}

/** An evaluation as `/api/v1` answers it: values are JSON values. */
export function evaluationView({ decision, decisionInstanceKey, evaluation }: DecisionEvaluationResult): object {
  return {
    decisionId: decision.decisionId,
    decisionKey: decision.id,
    decisionName: decision.name,
    decisionVersion: decision.version,
    decisionRequirementsId: decision.decisionRequirementsId,
    decisionRequirementsKey: decision.decisionRequirementsKey,
    decisionInstanceKey,
    tenantId: decision.tenantId,
    output: evaluation.ok ? (evaluation.output ?? null) : null,
    failedDecisionId: evaluation.ok ? null : evaluation.error.decisionId,
    failureMessage: evaluation.ok ? null : evaluation.error.message,
    evaluatedDecisions: evaluation.evaluatedDecisions,
  };
}
