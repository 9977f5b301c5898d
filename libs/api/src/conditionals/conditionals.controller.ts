import { Body, Controller, ForbiddenException, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConditionalStartService, DEFAULT_TENANT, DefinitionRegistry, RuntimeError } from '@baton/runtime';
import { CurrentCaller } from '../auth/caller.decorator';
import type { Caller } from '../auth/caller';
import { holds, Permission } from '../auth/permissions';
import { ApiJsonBody, ApiJsonResponse, ApiProblems } from '../http/openapi';
import { parse } from '../http/validation';
import { ConditionalEvaluationSchema, EvaluateConditionalsBody } from './conditionals.schemas';

/** Process-level conditional start events, evaluated on request (Camunda 8.9's evaluateConditionals in Baton's naming). */
@ApiTags('conditionals')
@Controller('conditionals')
export class ConditionalsController {
  constructor(
    @Inject(ConditionalStartService) private readonly conditionals: ConditionalStartService,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
  ) {}

  @Post('evaluation')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Evaluate conditional start events',
    description:
      'Every conditional start event of the latest version of each process (or of `processKey`) whose condition is true for `variables` starts an instance with them. A condition that fails to evaluate counts as false. 403, starting nothing, when the caller may not start one of the matched processes.',
  })
  @ApiJsonBody(EvaluateConditionalsBody)
  @ApiJsonResponse(200, ConditionalEvaluationSchema, 'The instances started (none when no condition held)')
  @ApiProblems(400, 403, 404, 413, 422)
  async evaluate(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    const request = parse(EvaluateConditionalsBody, body, 'body');
    const tenantId = request.tenantId ?? DEFAULT_TENANT;
    let processDefinitionKey: string | undefined;
    if (request.processKey !== undefined) {
      const latest = await this.registry.byProcessId(request.processKey, { tenantId });
      if (latest === null) throw RuntimeError.notFound(`process '${request.processKey}'`);
      processDefinitionKey = latest.id;
    }
    const result = await this.conditionals.evaluate({
      variables: request.variables,
      tenantId,
      processDefinitionKey,
      authorize: (processKeys) => {
        const refused = processKeys.find((key) => !holds(caller.permissions, Permission.Start, key));
        if (refused !== undefined) {
          throw new ForbiddenException(`'${caller.principal}' lacks the permission '${Permission.Start}:${refused}' to start a matched process; nothing was started`);
        }
      },
    });
    return {
      evaluationKey: result.conditionalEvaluationKey,
      tenantId: result.tenantId,
      instances: result.processInstances.map((p) => ({
        id: p.processInstanceKey,
        processKey: p.bpmnProcessId,
        version: p.version,
        definitionId: p.processDefinitionKey,
        startEventId: p.startEventId,
        status: 'ACTIVE' as const,
      })),
    };
  }
}
