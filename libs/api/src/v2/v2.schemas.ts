import type { AdHocJobResult } from '@baton/engine';
import { RuntimeError, type UserTaskJobResult } from '@baton/runtime';
import { z } from 'zod';

/**
 * Request bodies of Camunda 8.8's Orchestration Cluster REST API (`/v2`), as
 * its OpenAPI document (`rest-api.yaml`, branch stable/8.8) declares them.
 * Objects are strict: an unknown field is a 400, as Camunda answers. Fields
 * the spec has and Baton does not implement are accepted when absent or empty
 * and refused naming the field otherwise.
 */

/** A 64-bit key as Camunda sends it: a decimal string. */
export const v2Key = z.string().regex(/^[0-9]{1,19}$/, 'must be a key (a 64-bit integer as a decimal string)');

/** `<default>` or a tenant id (Camunda's TenantId pattern). */
export const tenantId = z
  .string()
  .min(1)
  .max(256)
  .regex(/^(<default>|[A-Za-z0-9_@.+-]+)$/, "must be '<default>' or letters, digits and _@.+-");

/** int64 milliseconds: a JSON number or a decimal string (clients serialise `bigint` either way). */
const int64 = z.union([z.number().int(), z.string().regex(/^-?[0-9]{1,19}$/).transform(Number)]);

const variables = z.record(z.string(), z.unknown());
const operationReference = int64.optional();

/** Spec fields Baton does not implement: accepted absent or empty, refused otherwise. */
const unsupported = (what: string) =>
  z
    .unknown()
    .optional()
    .refine(
      (v) => v === undefined || v === null || (typeof v === 'object' && Object.keys(v).length === 0),
      `${what} is not supported by Baton yet`,
    );

const creation = {
  variables: variables.optional(),
  tenantId: tenantId.optional(),
  operationReference,
  startInstructions: unsupported('startInstructions'),
  runtimeInstructions: unsupported('runtimeInstructions'),
  awaitCompletion: z.boolean().optional(),
  fetchVariables: z.array(z.string()).optional(),
  requestTimeout: int64.optional(),
  tags: unsupported('tags'),
};

export const CreateByIdBody = z.strictObject({
  processDefinitionId: z.string().min(1),
  processDefinitionVersion: z.number().int().optional(),
  ...creation,
});

export const CreateByKeyBody = z.strictObject({ processDefinitionKey: v2Key, ...creation });

export const CancelBody = z.strictObject({ operationReference }).nullable().optional();

/** Most instructions of each kind one modification takes (Baton's bound; Camunda bounds the record size). */
export const MAX_INSTRUCTIONS = 1000;

/** `ModifyProcessInstance` (`POST /v2/process-instances/{key}/modification`); 8.8 also terminates by `elementId`. */
export const ModifyBody = z.strictObject({
  operationReference,
  activateInstructions: z
    .array(
      z.strictObject({
        elementId: z.string().min(1).max(1000),
        /** -1 (the older clients' default) names no ancestor. */
        ancestorElementInstanceKey: z.union([v2Key, z.literal('-1'), z.literal(-1)]).optional(),
        variableInstructions: z.array(z.strictObject({ variables, scopeId: z.string().max(1000).optional() })).max(MAX_INSTRUCTIONS).optional(),
      }),
    )
    .max(MAX_INSTRUCTIONS)
    .optional(),
  terminateInstructions: z
    .array(z.union([z.strictObject({ elementInstanceKey: v2Key }), z.strictObject({ elementId: z.string().min(1).max(1000) })]))
    .max(MAX_INSTRUCTIONS)
    .optional(),
  moveInstructions: unsupported('moveInstructions'),
});

export const DeleteResourceBody = z.strictObject({ operationReference }).nullable().optional();

export const ActivateJobsBody = z.strictObject({
  type: z.string().min(1),
  worker: z.string().optional(),
  timeout: int64.pipe(z.number().int().min(1, 'must be at least 1 ms')),
  maxJobsToActivate: z.number().int().min(1),
  fetchVariable: z.array(z.string()).optional(),
  requestTimeout: int64.optional(),
  tenantIds: z.array(tenantId).optional(),
});

/**
 * The job result of an ad-hoc subprocess's job (`JobResultAdHocSubProcess`):
 * the elements to activate, each with variables for its scope, and whether
 * the subprocess is done. A user task listener's result (`type: userTask`)
 * is {@link UserTaskJobResultBody}.
 */
export const AdHocJobResultBody = z.strictObject({
  type: z.literal('adHocSubProcess', 'Baton supports job results of type adHocSubProcess only'),
  activateElements: z
    .array(z.strictObject({ elementId: z.string().min(1), variables: variables.nullable().optional() }))
    .nullable()
    .optional(),
  isCompletionConditionFulfilled: z.boolean().nullable().optional(),
  isCancelRemainingInstances: z.boolean().nullable().optional(),
});

/** An ISO 8601 date-time with an offset, or `''` to clear the date. */
const correctedDate = z
  .union([z.literal(''), z.iso.datetime({ offset: true })], 'must be an ISO 8601 date-time with an offset, or empty to clear it')
  .nullable()
  .optional();

/**
 * The job result of a user task listener's job (`JobResultUserTask`):
 * `corrections` of the task (null or absent keeps a value, `''` or `[]`
 * clears it; other properties are refused), or `denied`.
 */
export const UserTaskJobResultBody = z.strictObject({
  type: z.literal('userTask'),
  denied: z.boolean().nullable().optional(),
  deniedReason: z.string().nullable().optional(),
  corrections: z
    .strictObject({
      assignee: z.string().nullable().optional(),
      dueDate: correctedDate,
      followUpDate: correctedDate,
      candidateUsers: z.array(z.string()).nullable().optional(),
      candidateGroups: z.array(z.string()).nullable().optional(),
      priority: z.number().int().min(0).max(100).nullable().optional(),
    })
    .nullable()
    .optional(),
});

export const CompleteJobBody = z
  .strictObject({
    variables: variables.nullable().optional(),
    result: z.discriminatedUnion('type', [AdHocJobResultBody, UserTaskJobResultBody]).nullable().optional(),
  })
  .nullable()
  .optional();

/** A user task listener's result as the job service takes it. */
export function userTaskJobResult(body: z.infer<typeof UserTaskJobResultBody>): UserTaskJobResult {
  return {
    denied: body.denied ?? false,
    deniedReason: body.deniedReason ?? null,
    ...(body.corrections === undefined || body.corrections === null ? {} : { corrections: body.corrections }),
  };
}

/** A result as the engine takes it: absent fields are false or empty, as in Camunda. */
export function adHocJobResult(body: z.infer<typeof AdHocJobResultBody>): AdHocJobResult {
  return {
    activateElements: (body.activateElements ?? []).map((e) =>
      e.variables === undefined || e.variables === null ? { elementId: e.elementId } : { elementId: e.elementId, variables: e.variables },
    ),
    isCompletionConditionFulfilled: body.isCompletionConditionFulfilled ?? false,
    isCancelRemainingInstances: body.isCancelRemainingInstances ?? false,
  };
}

export const FailJobBody = z
  .strictObject({
    retries: z.number().int().optional(),
    errorMessage: z.string().optional(),
    retryBackOff: int64.optional(),
    variables: unsupported('variables on a failure'),
  })
  .nullable()
  .optional();

export const JobErrorBody = z.strictObject({
  errorCode: z.string().min(1),
  errorMessage: z.string().nullable().optional(),
  variables: variables.nullable().optional(),
});

export const UpdateJobBody = z.strictObject({
  changeset: z.object({
    retries: z.number().int().max(2_147_483_647).nullable().optional(),
    timeout: int64.nullable().optional(),
  }),
  operationReference,
});

/** `PUT /v2/element-instances/{key}/variables`. */
export const SetVariablesBody = z.strictObject({ variables, local: z.boolean().optional(), operationReference });

const message = {
  name: z.string().min(1),
  correlationKey: z.string().optional(),
  variables: variables.optional(),
  tenantId: tenantId.optional(),
};

export const PublishMessageBody = z.strictObject({
  ...message,
  timeToLive: int64.pipe(z.number().int().min(0)).optional(),
  messageId: z.string().optional(),
});

export const CorrelateMessageBody = z.strictObject(message);

export const BroadcastSignalBody = z.strictObject({
  signalName: z.string().min(1),
  variables: variables.optional(),
  tenantId: tenantId.optional(),
});

export const ResolveIncidentBody = z.strictObject({ operationReference }).nullable().optional();

/** A key from the path: 400 naming the parameter unless it is one. */
export function keyParam(name: string, value: string): string {
  if (!/^[0-9]{1,19}$/.test(value)) {
    throw RuntimeError.badRequest(name, `${name} '${value.slice(0, 40)}' is not a key (a 64-bit integer as a decimal string)`);
  }
  return value;
}

/**
 * The body of every `/v2/.../search`: `filter` (checked field by field by the
 * runtime's search language), `sort` and `page` (offset or cursor). Absent,
 * null and `{}` search everything.
 */
export const SearchBody = z
  .strictObject({
    filter: z.record(z.string(), z.unknown()).nullable().optional(),
    sort: z
      .array(z.strictObject({ field: z.string().min(1), order: z.string().nullable().optional() }))
      .max(10, 'at most 10 sort fields')
      .nullable()
      .optional(),
    page: z
      .strictObject({
        from: z.number().int().nullable().optional(),
        limit: z.number().int().nullable().optional(),
        after: z.string().max(1000).nullable().optional(),
        before: z.string().max(1000).nullable().optional(),
      })
      .nullable()
      .optional(),
  })
  .nullable()
  .optional();

export const AssignUserTaskBody = z.strictObject({
  assignee: z.string().min(1).max(256),
  allowOverride: z.boolean().nullable().optional(),
  action: z.string().nullable().optional(),
});

export const CompleteUserTaskBody = z
  .strictObject({
    variables: variables.nullable().optional(),
    action: z.string().nullable().optional(),
  })
  .nullable()
  .optional();

/**
 * Camunda 8.8's user task update: `changeset` attributes other than these
 * five are ignored, as Camunda ignores them (the assignee has its own route).
 */
export const UpdateUserTaskBody = z
  .strictObject({
    changeset: z
      .object({
        dueDate: z.string().nullable().optional(),
        followUpDate: z.string().nullable().optional(),
        candidateUsers: z.array(z.string()).nullable().optional(),
        candidateGroups: z.array(z.string()).nullable().optional(),
        priority: z.number().int().min(0).max(100).nullable().optional(),
      })
      .nullable()
      .optional(),
    action: z.string().nullable().optional(),
  })
  .nullable()
  .optional();

export const UnassignUserTaskBody = z.strictObject({ operationReference }).nullable().optional();
