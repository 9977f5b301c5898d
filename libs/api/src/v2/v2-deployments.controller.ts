import type {} from '@fastify/multipart';
import { Controller, HttpCode, Inject, Post, Req, UseFilters } from '@nestjs/common';
import { DefinitionRegistry, RuntimeError, RuntimeErrorCode, VariableLimits } from '@baton/runtime';
import type { FastifyRequest } from 'fastify';
import { CurrentCaller } from '../auth/caller.decorator';
import { inTenant, type Caller } from '../auth/caller';
import { parse } from '../http/validation';
import { V2Problem, V2ProblemFilter } from './v2-problem.filter';
import { V2Api, V2DeploymentBody } from './v2-openapi';
import { tenantOf } from './v2-tenants';
import { tenantId as tenantIdSchema } from './v2.schemas';

/** Most resources in one deployment request. */
const MAX_RESOURCES = 50;

/** BPMN and DMN documents and Camunda Forms, by file name (a `.xml` file is DMN when its root element is in a DMN namespace). */
const DEPLOYABLE = /\.(bpmn|xml|dmn|form)$/i;

/**
 * `POST /v2/deployments`: multipart, one or more `resources` file parts (a
 * part without a content type is fine) and an optional `tenantId` field.
 * BPMN and DMN documents and forms deploy as one deployment; other
 * resources are refused naming the file. The tenant (absent: the default
 * one) must be the caller's: the auth hook cannot see a multipart field, so
 * the check is here, before anything is deployed.
 */
@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2/deployments')
export class V2DeploymentsController {
  constructor(
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
    @Inject(VariableLimits) private readonly limits: VariableLimits,
  ) {}

  @Post()
  @V2DeploymentBody()
  @HttpCode(200)
  async deploy(@Req() request: FastifyRequest, @CurrentCaller() caller: Caller): Promise<object> {
    if (!request.isMultipart()) throw badRequest('body', 'send the resources as multipart/form-data, field `resources`');
    const documents: { name: string; xml: string }[] = [];
    let tenantId: string | undefined;
    let bytes = 0;
    // The app's multipart limits take one file; a deployment takes several.
    for await (const part of request.parts({ limits: { files: MAX_RESOURCES, fields: 10 } })) {
      if (part.type === 'field') {
        if (part.fieldname !== 'tenantId') throw badRequest(part.fieldname, `unknown field '${part.fieldname}'`);
        tenantId = parse(tenantIdSchema, part.value, 'body');
        continue;
      }
      const content = await part.toBuffer();
      // Each file is held to the body limit by the multipart parser; all of them together too.
      bytes += content.length;
      if (bytes > this.limits.maxBodyBytes) {
        throw new RuntimeError(
          RuntimeErrorCode.PayloadTooLarge,
          `the resources are larger than the limit of ${this.limits.maxBodyBytes} bytes together`,
        );
      }
      if (part.fieldname !== 'resources') throw badRequest(part.fieldname, `unknown file field '${part.fieldname}'; send files as 'resources'`);
      const name = part.filename;
      if (!DEPLOYABLE.test(name)) {
        throw badRequest('resources', `'${name}': Baton does not deploy this kind of resource; only BPMN (.bpmn, .xml), DMN (.dmn) and forms (.form)`);
      }
      documents.push({ name, xml: content.toString('utf8') });
    }
    if (documents.length === 0) throw badRequest('resources', 'no resources: send at least one file as `resources`');
    const tenant = tenantOf(tenantId);
    if (!inTenant(caller, tenant)) throw new V2Problem(403, 'FORBIDDEN', `'${caller.principal}' may not act in tenant '${tenant}'`);
    const result = await this.registry.deployResources(documents, { tenantId });
    return {
      deploymentKey: result.deploymentId,
      tenantId: result.tenantId,
      // As Camunda lists them: processes, then decisions, then decision requirements, then forms.
      deployments: [
        ...result.resources.flatMap((resource) =>
          resource.processes.map((p) => ({
            processDefinition: {
              processDefinitionId: p.bpmnProcessId,
              processDefinitionVersion: p.version,
              resourceName: resource.name,
              tenantId: p.tenantId,
              processDefinitionKey: p.id,
            },
          })),
        ),
        ...result.resources.flatMap((resource) =>
          (resource.dmn?.decisions ?? []).map((d) => ({
            decisionDefinition: {
              decisionDefinitionId: d.decisionId,
              version: d.version,
              name: d.name ?? d.decisionId,
              tenantId: d.tenantId,
              decisionRequirementsId: d.decisionRequirementsId,
              decisionDefinitionKey: d.id,
              decisionRequirementsKey: d.decisionRequirementsKey,
            },
          })),
        ),
        ...result.resources.flatMap((resource) =>
          resource.dmn === undefined
            ? []
            : [
                {
                  decisionRequirements: {
                    decisionRequirementsId: resource.dmn.requirements.decisionRequirementsId,
                    decisionRequirementsName: resource.dmn.requirements.name ?? resource.dmn.requirements.decisionRequirementsId,
                    version: resource.dmn.requirements.version,
                    resourceName: resource.dmn.requirements.resourceName,
                    tenantId: resource.dmn.requirements.tenantId,
                    decisionRequirementsKey: resource.dmn.requirements.id,
                  },
                },
              ],
        ),
        ...result.resources.flatMap((resource) =>
          resource.form === undefined
            ? []
            : [
                {
                  form: {
                    formId: resource.form.formId,
                    version: resource.form.version,
                    resourceName: resource.form.resourceName,
                    tenantId: resource.form.tenantId,
                    formKey: resource.form.id,
                  },
                },
              ],
        ),
      ],
    };
  }
}

const badRequest = (field: string, message: string): RuntimeError => RuntimeError.badRequest(field, message);
