import { Body, Controller, HttpCode, Inject, Post, UseFilters } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { ConditionalStartService } from '@baton/runtime';
import { z } from 'zod';
import { CurrentCaller } from '../auth/caller.decorator';
import type { Caller } from '../auth/caller';
import { holds, Permission } from '../auth/permissions';
import { parse } from '../http/validation';
import { V2Problem, V2ProblemFilter } from './v2-problem.filter';
import { V2Api, V2Body } from './v2-openapi';
import { tenantOf } from './v2-tenants';
import { tenantId, v2Key } from './v2.schemas';

/** Camunda 8.9's `ConditionalEvaluationInstruction`. */
export const EvaluateConditionalsBody = z.strictObject({
  variables: z.record(z.string(), z.unknown()),
  tenantId: tenantId.optional(),
  processDefinitionKey: v2Key.optional(),
});

/** Root-level conditional start events as Camunda 8.9's REST API evaluates them. */
@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2/conditionals')
export class V2ConditionalsController {
  constructor(@Inject(ConditionalStartService) private readonly conditionals: ConditionalStartService) {}

  /**
   * Every conditional start event of the latest version of each process (or
   * of `processDefinitionKey`) whose condition holds for `variables` starts an
   * instance with them. 403, starting nothing, when the caller may not start
   * one of the matched processes (Camunda's rule).
   */
  @Post('evaluation')
  @ApiOperation({
    summary: 'Camunda 8.9 `evaluateConditionals`',
    description:
      'Evaluates root-level conditional start events: one instance per start event whose condition is true, with the variables. As Camunda 8.9 specifies it; where Baton differs, docs/camunda-clients.md says so.',
  })
  @V2Body(EvaluateConditionalsBody)
  @HttpCode(200)
  async evaluate(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    const request = parse(EvaluateConditionalsBody, body, 'body');
    const result = await this.conditionals.evaluate({
      variables: request.variables,
      tenantId: tenantOf(request.tenantId),
      processDefinitionKey: request.processDefinitionKey,
      authorize: (processIds) => {
        const refused = processIds.find((id) => !holds(caller.permissions, Permission.Start, id));
        if (refused !== undefined) {
          throw new V2Problem(403, 'FORBIDDEN', `'${caller.principal}' lacks the permission '${Permission.Start}:${refused}' to start a matched process`);
        }
      },
    });
    return {
      conditionalEvaluationKey: result.conditionalEvaluationKey,
      tenantId: result.tenantId,
      processInstances: result.processInstances.map((p) => ({ processDefinitionKey: p.processDefinitionKey, processInstanceKey: p.processInstanceKey })),
    };
  }
}
