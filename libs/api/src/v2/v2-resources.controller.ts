import { Body, Controller, HttpCode, Inject, Param, Post, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { DefinitionRegistry, FormService, RuntimeError } from '@baton/runtime';
import { ApiProblems } from '../http/openapi';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import { parse } from '../http/validation';
import { V2ProblemFilter } from './v2-problem.filter';
import { V2Api, V2Body } from './v2-openapi';
import { DeleteResourceBody, keyParam } from './v2.schemas';

/**
 * Camunda 8.8's resource deletion: a process definition version, a
 * decision requirements version (with its decisions) or a form version, by key.
 */
@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2/resources')
export class V2ResourcesController {
  constructor(
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
    @Inject(FormService) private readonly forms: FormService,
  ) {}

  /**
   * 200 with no body, as Camunda answers. A process version: refused (409
   * INVALID_STATE) while instances of it run, as Zeebe 8.8 refuses it; else no
   * instance starts on it any more and the version before it becomes the
   * latest again (with its start events). A key of another tenant is as
   * unknown: 404.
   */
  @Post(':resourceKey/deletion')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Camunda 8.8 `deleteResource`: delete a process definition, decision requirements or form version',
    description:
      'A process version with running instances is refused (409 INVALID_STATE, as Zeebe 8.8). No instance starts on a deleted process version; its ended instances stay readable. Deleting the latest version makes the one before it the latest again, its message, signal and timer start events active. A decision requirements version goes with its decisions. A deleted form version is no longer bound by user tasks.',
  })
  @V2Body(DeleteResourceBody)
  @ApiResponse({ status: 200, description: 'Deleted' })
  @ApiProblems(400, 404, 409)
  async delete(
    @Param('resourceKey') key: string,
    @Body() body: unknown,
    @CurrentCaller() caller: Caller,
  ): Promise<void> {
    keyParam('resourceKey', key);
    parse(DeleteResourceBody, body, 'body');
    const tenants = tenantScope(caller);
    if ((await this.registry.deleteVersion(key, tenants)) !== null) return;
    if ((await this.registry.decisions.deleteRequirements(key, tenants)) !== null) return;
    if ((await this.forms.delete(key, tenants)) !== null) return;
    throw RuntimeError.notFound(
      `resource with key '${key}' (a process definition, decision requirements or form key)`,
    );
  }
}
