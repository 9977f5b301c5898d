import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InstanceService, type InstanceView } from '@baton/runtime';
import { ApiJsonBody, ApiJsonResponse, ApiKeyParam, ApiProblems } from '../http/openapi';
import { parse } from '../http/validation';
import { InstanceSchema } from './instances.schemas';
import { MigrateBody } from './migration.schemas';

/** Process instance migration with Baton's v1 names (Camunda 8's is `/v2/process-instances/{key}/migration`). */
@ApiTags('instances')
@Controller()
export class InstanceMigrationController {
  constructor(@Inject(InstanceService) private readonly instances: InstanceService) {}

  @Post('instances/:id/migration')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Migrate a running instance to another deployed process version along mapping instructions',
    description:
      'Camunda 8.8 semantics: every active element is mapped to an element of the same type in the same flow scope; jobs and user tasks keep their keys ' +
      '(a job keeps its type and retries), mapped catch events keep their timers and subscriptions, variables are untouched. ' +
      'A refusal (400) names the element and changes nothing; the refusals are listed in the README "Operate" section.',
  })
  @ApiKeyParam('id', 'The instance id')
  @ApiJsonBody(MigrateBody)
  @ApiJsonResponse(200, InstanceSchema, 'The instance, on the target version')
  @ApiProblems(400, 404, 409)
  async migrate(@Param('id') id: string, @Body() body: unknown): Promise<InstanceView> {
    const plan = parse(MigrateBody, body, 'body');
    await this.instances.migrate(id, {
      targetDefinitionId: plan.targetDefinitionId,
      mappings: plan.mappings.map((m) => ({
        sourceElementId: m.source,
        targetElementId: m.target,
      })),
    });
    return this.instances.get(id);
  }
}
