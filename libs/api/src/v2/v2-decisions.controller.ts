import { Body, Controller, HttpCode, Inject, Post, UseFilters } from '@nestjs/common';
import { DecisionService, RuntimeError, type DecisionDefinitionRecord, type DecisionEvaluationResult } from '@baton/runtime';
import type { EvaluatedDecision } from '@baton/dmn';
import { z } from 'zod';
import { parse } from '../http/validation';
import { V2ProblemFilter } from './v2-problem.filter';
import { V2Api, V2EitherBody } from './v2-openapi';
import { tenantId, v2Key } from './v2.schemas';
import { tenantOf } from './v2-tenants';

const variables = z.record(z.string(), z.unknown());

/** Camunda 8.8's `DecisionEvaluationById`. */
const EvaluateByIdBody = z.strictObject({
  decisionDefinitionId: z.string().min(1),
  variables: variables.optional(),
  tenantId: tenantId.optional(),
});

/** Camunda 8.8's `DecisionEvaluationByKey`. */
const EvaluateByKeyBody = z.strictObject({
  decisionDefinitionKey: v2Key,
  variables: variables.optional(),
  tenantId: tenantId.optional(),
});

/**
 * `POST /v2/decision-definitions/evaluation` (Camunda 8.8's EvaluateDecision):
 * the latest version of a decision id, or a version by its key. A failed
 * evaluation is a 200 with `failedDecisionDefinitionId` and `failureMessage`
 * (Camunda writes a FAILED evaluation and answers with it); values travel as
 * JSON-encoded strings, as in Camunda.
 */
@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2/decision-definitions')
export class V2DecisionsController {
  constructor(@Inject(DecisionService) private readonly decisions: DecisionService) {}

  @Post('evaluation')
  @V2EitherBody(EvaluateByIdBody, EvaluateByKeyBody)
  @HttpCode(200)
  async evaluate(@Body() body: unknown): Promise<object> {
    const isObject = typeof body === 'object' && body !== null;
    if (isObject && !('decisionDefinitionKey' in body) && !('decisionDefinitionId' in body)) {
      throw RuntimeError.badRequest('body', 'Expected either a decision id or a valid decision key, but none provided');
    }
    const request = isObject && 'decisionDefinitionKey' in body ? parse(EvaluateByKeyBody, body, 'body') : parse(EvaluateByIdBody, body ?? {}, 'body');
    const tenant = tenantOf(request.tenantId);
    const decision =
      'decisionDefinitionKey' in request
        ? await this.decisions.byKey(request.decisionDefinitionKey, tenant)
        : await this.latest(request.decisionDefinitionId, tenant);
    const result = await this.decisions.evaluate(decision, request.variables ?? {});
    return evaluationResult(result, await this.decisions.versionsIn(decision));
  }

  private async latest(decisionId: string, tenant: string): Promise<DecisionDefinitionRecord> {
    try {
      return await this.decisions.get(decisionId, undefined, tenant);
    } catch (e) {
      if (e instanceof RuntimeError) {
        throw RuntimeError.notFound(`decision with id '${decisionId}'${tenant === '<default>' ? '' : ` in tenant '${tenant}'`}`);
      }
      throw e;
    }
  }
}

const json = (value: unknown): string => JSON.stringify(value ?? null);

/** Camunda 8.8's `EvaluateDecisionResult`. `siblings`: the decisions of the same DMN document, by decision id. */
export function evaluationResult(
  { decision, requirements, decisionInstanceKey, evaluatedDecisionKeys, evaluation }: DecisionEvaluationResult,
  siblings: ReadonlyMap<string, DecisionDefinitionRecord>,
): object {
  const evaluated = (d: EvaluatedDecision, i: number) => {
    const row = siblings.get(d.decisionId);
    return {
      decisionDefinitionId: d.decisionId,
      decisionDefinitionName: d.decisionName,
      decisionDefinitionVersion: row?.version ?? decision.version,
      decisionDefinitionType: d.decisionType,
      output: json(d.output),
      tenantId: decision.tenantId,
      matchedRules: d.matchedRules.map((rule) => ({
        ruleId: rule.ruleId,
        ruleIndex: rule.ruleIndex,
        evaluatedOutputs: rule.evaluatedOutputs.map((o) => ({ outputId: o.outputId, outputName: o.outputName, outputValue: json(o.outputValue) })),
      })),
      evaluatedInputs: d.evaluatedInputs.map((input) => ({ inputId: input.inputId, inputName: input.inputName, inputValue: json(input.inputValue) })),
      decisionDefinitionKey: row?.id ?? decision.id,
      decisionEvaluationInstanceKey: evaluatedDecisionKeys[i],
    };
  };
  return {
    decisionDefinitionId: decision.decisionId,
    decisionDefinitionName: decision.name ?? decision.decisionId,
    decisionDefinitionVersion: decision.version,
    decisionRequirementsId: decision.decisionRequirementsId,
    output: evaluation.ok ? json(evaluation.output) : 'null',
    // Camunda 8.8 answers empty strings on success (the record's defaults; later versions answer null).
    failedDecisionDefinitionId: evaluation.ok ? '' : evaluation.error.decisionId,
    failureMessage: evaluation.ok ? '' : evaluation.error.message,
    tenantId: decision.tenantId,
    decisionDefinitionKey: decision.id,
    decisionRequirementsKey: requirements?.id ?? decision.decisionRequirementsKey,
    decisionInstanceKey,
    decisionEvaluationKey: decisionInstanceKey,
    evaluatedDecisions: evaluation.evaluatedDecisions.map(evaluated),
  };
}
