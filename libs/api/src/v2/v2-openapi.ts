import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { ApiKeyParam, schemaOf } from '../http/openapi';

/** The tag of every `/v2` operation in Baton's OpenAPI document (`/api/docs`). */
export const V2_TAG = 'Camunda 8.8 REST API (/v2)';

/**
 * Camunda 8.8's `operationId` of each `/v2` route Baton serves (the spec's
 * names, which the official clients' methods carry), by `METHOD /path`.
 */
const OPERATIONS: Readonly<Record<string, string>> = {
  'GET /v2/topology': 'getTopology',
  'GET /v2/status': 'getStatus',
  'POST /v2/deployments': 'createDeployment',
  'POST /v2/resources/:resourceKey/deletion': 'deleteResource',
  'POST /v2/process-instances': 'createProcessInstance',
  'POST /v2/process-instances/:processInstanceKey/cancellation': 'cancelProcessInstance',
  'POST /v2/process-instances/:processInstanceKey/modification': 'modifyProcessInstance',
  'POST /v2/process-instances/:processInstanceKey/migration': 'migrateProcessInstance',
  'POST /v2/process-instances/search': 'searchProcessInstances',
  'GET /v2/process-instances/:processInstanceKey': 'getProcessInstance',
  'POST /v2/process-definitions/search': 'searchProcessDefinitions',
  'GET /v2/process-definitions/:processDefinitionKey': 'getProcessDefinition',
  'GET /v2/process-definitions/:processDefinitionKey/xml': 'getProcessDefinitionXML',
  'POST /v2/process-definitions/:processDefinitionKey/statistics/element-instances':
    'getProcessDefinitionStatistics',
  'POST /v2/decision-definitions/evaluation': 'evaluateDecision',
  'POST /v2/decision-definitions/search': 'searchDecisionDefinitions',
  'GET /v2/decision-definitions/:decisionDefinitionKey': 'getDecisionDefinition',
  'GET /v2/decision-definitions/:decisionDefinitionKey/xml': 'getDecisionDefinitionXML',
  'POST /v2/decision-requirements/search': 'searchDecisionRequirements',
  'GET /v2/decision-requirements/:decisionRequirementsKey': 'getDecisionRequirements',
  'GET /v2/decision-requirements/:decisionRequirementsKey/xml': 'getDecisionRequirementsXML',
  'POST /v2/decision-instances/search': 'searchDecisionInstances',
  'GET /v2/decision-instances/:decisionEvaluationInstanceKey': 'getDecisionInstance',
  'POST /v2/jobs/activation': 'activateJobs',
  'POST /v2/jobs/search': 'searchJobs',
  'PATCH /v2/jobs/:jobKey': 'updateJob',
  'POST /v2/jobs/:jobKey/completion': 'completeJob',
  'POST /v2/jobs/:jobKey/failure': 'failJob',
  'POST /v2/jobs/:jobKey/error': 'throwJobError',
  'POST /v2/messages/publication': 'publishMessage',
  'POST /v2/messages/correlation': 'correlateMessage',
  'POST /v2/signals/broadcast': 'broadcastSignal',
  'POST /v2/incidents/search': 'searchIncidents',
  'GET /v2/incidents/:incidentKey': 'getIncident',
  'POST /v2/incidents/:incidentKey/resolution': 'resolveIncident',
  'POST /v2/user-tasks/search': 'searchUserTasks',
  'GET /v2/user-tasks/:userTaskKey': 'getUserTask',
  'GET /v2/user-tasks/:userTaskKey/form': 'getUserTaskForm',
  'POST /v2/user-tasks/:userTaskKey/assignment': 'assignUserTask',
  'DELETE /v2/user-tasks/:userTaskKey/assignee': 'unassignUserTask',
  'POST /v2/user-tasks/:userTaskKey/completion': 'completeUserTask',
  'PATCH /v2/user-tasks/:userTaskKey': 'updateUserTask',
  'POST /v2/element-instances/search': 'searchElementInstances',
  'GET /v2/element-instances/:elementInstanceKey': 'getElementInstance',
  'PUT /v2/element-instances/:elementInstanceKey/variables': 'createElementInstanceVariables',
  'POST /v2/variables/search': 'searchVariables',
  'GET /v2/variables/:variableKey': 'getVariable',
  'POST /v2/process-instances/cancellation': 'cancelProcessInstancesBatchOperation',
  'POST /v2/process-instances/incident-resolution': 'resolveIncidentsBatchOperation',
  'POST /v2/process-instances/migration': 'migrateProcessInstancesBatchOperation',
  'POST /v2/batch-operations/search': 'searchBatchOperations',
  'GET /v2/batch-operations/:batchOperationKey': 'getBatchOperation',
  'POST /v2/batch-operations/:batchOperationKey/cancellation': 'cancelBatchOperation',
  'POST /v2/batch-operations/:batchOperationKey/suspension': 'suspendBatchOperation',
  'POST /v2/batch-operations/:batchOperationKey/resumption': 'resumeBatchOperation',
  'POST /v2/batch-operation-items/search': 'searchBatchOperationItems',
  'GET /v2/process-definitions/:processDefinitionKey/form': 'getStartProcessForm',
};

/** @nestjs/swagger's metadata key of `@ApiOperation`. */
const API_OPERATION = 'swagger/apiOperation';

/** `processInstanceKey` -> `process instance key`. */
const words = (name: string): string => name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/** `/v2/...` joined from a controller's and a handler's path (Nest's route metadata). */
function routeOf(base: unknown, path: unknown): string {
  const parts = [base, path]
    .flatMap((p) => (typeof p === 'string' ? p.split('/') : []))
    .filter((p) => p !== '');
  return `/${parts.join('/')}`;
}

/**
 * Puts a `/v2` controller in Baton's OpenAPI document: its tag, each
 * operation's Camunda name as the summary, and every `:param` of its routes
 * declared as a 64-bit key path parameter (all `/v2` path parameters are
 * keys; @nestjs/swagger cannot infer them under `npm start`, which emits no
 * decorator metadata). Place it above `@Controller`, which must run first.
 * Request bodies are declared on the handlers ({@link V2Body}).
 */
export function V2Api(): ClassDecorator {
  return (target) => {
    ApiTags(V2_TAG)(target);
    const base: unknown = Reflect.getMetadata(PATH_METADATA, target);
    const prototype = target.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
      const handler: unknown = descriptor?.value;
      if (name === 'constructor' || descriptor === undefined || typeof handler !== 'function')
        continue;
      const path: unknown = Reflect.getMetadata(PATH_METADATA, handler);
      if (path === undefined) continue;
      const route = routeOf(base, path);
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const operation = OPERATIONS[`${method} ${route}`];
      // A handler's own @ApiOperation (written below the class decorator, so already there) is kept.
      if (Reflect.getMetadata(API_OPERATION, handler) === undefined) {
        ApiOperation({
          summary: operation === undefined ? `${method} ${route}` : `Camunda 8.8 \`${operation}\``,
          description:
            'As Camunda 8.8 specifies it (`rest-api.yaml`); where Baton differs, docs/camunda-clients.md says so.',
        })(prototype, name, descriptor);
      }
      for (const [, param] of route.matchAll(/:([A-Za-z]+)/g)) {
        ApiKeyParam(param, `The ${words(param)}`)(prototype, name, descriptor);
      }
    }
  };
}

/** A `/v2` JSON request body, required unless the schema takes an absent one (then it is the same as `{}`). */
export const V2Body = (schema: z.ZodType) =>
  ApiBody({ schema: schemaOf(schema, 'input'), required: !schema.safeParse(undefined).success });

/** Either of two JSON bodies (Camunda's `oneOf`: by id or by key). */
export const V2EitherBody = (a: z.ZodType, b: z.ZodType) =>
  ApiBody({ schema: { oneOf: [schemaOf(a, 'input'), schemaOf(b, 'input')] }, required: true });

/** The multipart body of `POST /v2/deployments`. */
export const V2DeploymentBody =
  () => (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    ApiConsumes('multipart/form-data')(target, key, descriptor);
    ApiBody({
      required: true,
      schema: {
        type: 'object',
        properties: {
          resources: {
            type: 'array',
            items: { type: 'string', format: 'binary' },
            description: 'BPMN and DMN files',
          },
          tenantId: { type: 'string', example: '<default>' },
        },
        required: ['resources'],
      },
    })(target, key, descriptor);
  };
