import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Res,
  UseFilters,
} from '@nestjs/common';
import type { EvaluatedDecision } from '@baton/dmn';
import { RUNTIME_STORE } from '@baton/host';
import {
  CamundaSearchService,
  type DecisionDefinitionSearchRecord,
  type DecisionInstanceSearchRecord,
  type DecisionRequirementsSearchRecord,
  type RuntimeStore,
} from '@baton/runtime';
import type { FastifyReply } from 'fastify';
import { tenantScope, type Caller } from '../auth/caller';
import { CurrentCaller } from '../auth/caller.decorator';
import { parse } from '../http/validation';
import { V2ProblemFilter } from './v2-problem.filter';
import { V2Api, V2Body } from './v2-openapi';
import { keyParam, SearchBody } from './v2.schemas';
import { searchResult } from './v2-views';

/**
 * Camunda 8.8's searches and gets of deployed decisions, their DMN documents
 * (decision requirements) and their evaluations (decision instances),
 * confined to the caller's tenants: another tenant's entity is a 404.
 */
@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2')
export class V2DecisionSearchController {
  private readonly search: CamundaSearchService;

  constructor(@Inject(RUNTIME_STORE) store: RuntimeStore) {
    this.search = new CamundaSearchService(store);
  }

  @Post('decision-definitions/search')
  @V2Body(SearchBody)
  @HttpCode(200)
  async decisionDefinitions(
    @Body() body: unknown,
    @CurrentCaller() caller: Caller,
  ): Promise<object> {
    return searchResult(
      await this.search.decisionDefinitions(
        parse(SearchBody, body, 'body') ?? {},
        tenantScope(caller),
      ),
      decisionDefinitionView,
    );
  }

  @Get('decision-definitions/:decisionDefinitionKey')
  async decisionDefinition(
    @Param('decisionDefinitionKey') key: string,
    @CurrentCaller() caller: Caller,
  ): Promise<object> {
    return decisionDefinitionView(
      await this.search.decisionDefinition(
        keyParam('decisionDefinitionKey', key),
        tenantScope(caller),
      ),
    );
  }

  /** The DMN document the decision belongs to, verbatim. */
  @Get('decision-definitions/:decisionDefinitionKey/xml')
  async decisionDefinitionXml(
    @Param('decisionDefinitionKey') key: string,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const xml = await this.search.decisionDefinitionXml(
      keyParam('decisionDefinitionKey', key),
      tenantScope(caller),
    );
    void reply.header('content-type', 'text/xml; charset=utf-8');
    return xml;
  }

  @Post('decision-requirements/search')
  @V2Body(SearchBody)
  @HttpCode(200)
  async decisionRequirements(
    @Body() body: unknown,
    @CurrentCaller() caller: Caller,
  ): Promise<object> {
    return searchResult(
      await this.search.decisionRequirements(
        parse(SearchBody, body, 'body') ?? {},
        tenantScope(caller),
      ),
      decisionRequirementsView,
    );
  }

  @Get('decision-requirements/:decisionRequirementsKey')
  async decisionRequirement(
    @Param('decisionRequirementsKey') key: string,
    @CurrentCaller() caller: Caller,
  ): Promise<object> {
    return decisionRequirementsView(
      await this.search.decisionRequirement(
        keyParam('decisionRequirementsKey', key),
        tenantScope(caller),
      ),
    );
  }

  @Get('decision-requirements/:decisionRequirementsKey/xml')
  async decisionRequirementsXml(
    @Param('decisionRequirementsKey') key: string,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const xml = await this.search.decisionRequirementsXml(
      keyParam('decisionRequirementsKey', key),
      tenantScope(caller),
    );
    void reply.header('content-type', 'text/xml; charset=utf-8');
    return xml;
  }

  @Post('decision-instances/search')
  @V2Body(SearchBody)
  @HttpCode(200)
  async decisionInstances(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    return searchResult(
      await this.search.decisionInstances(
        parse(SearchBody, body, 'body') ?? {},
        tenantScope(caller),
      ),
      decisionInstanceView,
    );
  }

  /** With the evaluated inputs and matched rules of the decision called. */
  @Get('decision-instances/:decisionEvaluationInstanceKey')
  async decisionInstance(
    @Param('decisionEvaluationInstanceKey') key: string,
    @CurrentCaller() caller: Caller,
  ): Promise<object> {
    const record = await this.search.decisionInstance(
      keyParam('decisionEvaluationInstanceKey', key),
      tenantScope(caller),
    );
    const called = calledDecision(record);
    return {
      ...decisionInstanceView(record),
      evaluatedInputs: (called?.evaluatedInputs ?? []).map((i) => ({
        inputId: i.inputId,
        inputName: i.inputName,
        inputValue: json(i.inputValue),
      })),
      matchedRules: (called?.matchedRules ?? []).map((rule) => ({
        ruleId: rule.ruleId,
        ruleIndex: rule.ruleIndex,
        evaluatedOutputs: rule.evaluatedOutputs.map((o) => ({
          outputId: o.outputId,
          outputName: o.outputName,
          outputValue: json(o.outputValue),
        })),
      })),
    };
  }
}

type Json = Record<string, unknown>;

/** Values travel as JSON-encoded strings, as in Camunda. */
const json = (value: unknown): string => JSON.stringify(value ?? null);

/** Leaves out members Baton has no value for (the spec's schemas take no null). */
function compact(view: Json): Json {
  return Object.fromEntries(Object.entries(view).filter(([, v]) => v !== null && v !== undefined));
}

const decisionDefinitionView = (r: DecisionDefinitionSearchRecord): Json =>
  compact({
    decisionDefinitionId: r.decisionId,
    name: r.name,
    version: r.version,
    decisionRequirementsId: r.decisionRequirementsId,
    tenantId: r.tenantId,
    decisionDefinitionKey: r.id,
    decisionRequirementsKey: r.decisionRequirementsKey,
  });

const decisionRequirementsView = (r: DecisionRequirementsSearchRecord): Json =>
  compact({
    decisionRequirementsName: r.name,
    version: r.version,
    decisionRequirementsId: r.decisionRequirementsId,
    resourceName: r.resourceName,
    tenantId: r.tenantId,
    decisionRequirementsKey: r.id,
  });

/** The evaluated decision record of the decision called (the last one with its id: required decisions come first). */
function calledDecision(r: DecisionInstanceSearchRecord): EvaluatedDecision | undefined {
  const evaluated = Array.isArray(r.evaluatedDecisions)
    ? (r.evaluatedDecisions as EvaluatedDecision[])
    : [];
  return evaluated.filter((d) => d.decisionId === r.decisionId).pop();
}

/** Camunda 8.8 knows decision tables and literal expressions; Baton's other kinds are UNKNOWN. */
function decisionType(r: DecisionInstanceSearchRecord): string {
  const type = calledDecision(r)?.decisionType;
  if (type === undefined) return 'UNSPECIFIED';
  return type === 'DECISION_TABLE' || type === 'LITERAL_EXPRESSION' ? type : 'UNKNOWN';
}

const decisionInstanceView = (r: DecisionInstanceSearchRecord): Json =>
  compact({
    decisionEvaluationInstanceKey: r.id,
    state: r.state,
    evaluationDate: new Date(r.evaluatedAt).toISOString(),
    evaluationFailure: r.failureMessage,
    decisionDefinitionId: r.decisionId,
    decisionDefinitionName: r.decisionName,
    decisionDefinitionVersion: r.decisionVersion,
    decisionDefinitionType: decisionType(r),
    result: json(r.output),
    tenantId: r.tenantId,
    decisionEvaluationKey: r.id,
    processDefinitionKey: r.processDefinitionId,
    processInstanceKey: r.processInstanceId,
    decisionDefinitionKey: r.decisionKey,
    elementInstanceKey: r.elementInstanceId,
  });
