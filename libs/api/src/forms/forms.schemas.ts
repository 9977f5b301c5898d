import { z } from 'zod';
import { keySchema, limitParam } from '../http/validation';

export const FormSchema = z.object({
  formKey: keySchema.describe('The key of this deployed version'),
  formId: z.string().describe("The form's `id`: what `zeebe:formDefinition formId` names").meta({ example: 'approve-order' }),
  version: z.number().int().describe('1 for the first deployment of the form id, one more for each changed one').meta({ example: 1 }),
  versionTag: z.string().nullable().describe("The form's `versionTag`, for `bindingType=\"versionTag\"`").meta({ example: 'v1' }),
  tenantId: z.string().meta({ example: '<default>' }),
  deploymentKey: keySchema.describe('The deployment that brought this version'),
  resourceName: z.string().meta({ example: 'approve-order.form' }),
  deployedAt: z.iso.datetime().meta({ example: '2026-01-15T09:30:00.000Z' }),
});

export const FormWithSchemaSchema = FormSchema.extend({
  schema: z.record(z.string(), z.unknown()).describe('The Camunda Forms (form-js) JSON, as deployed'),
});

export const DeployFormsResponse = z.object({
  deploymentKey: keySchema,
  forms: z.array(FormSchema),
});

export const TaskFormSchema = z.object({
  kind: z
    .enum(['linked', 'embedded', 'external'])
    .describe(
      '`linked`: a deployed form (`zeebe:formDefinition formId`); `embedded`: a `zeebe:userTaskForm` of the process; `external`: a custom form key or external reference the caller resolves',
    ),
  form: FormSchema.optional().describe('`linked`: the version the task is bound to'),
  formKey: z.string().optional().describe('`embedded` and `external`: the form key as the model gives it'),
  schema: z.unknown().optional().describe('`linked` and `embedded`: the form JSON'),
});

export const FormListQuery = z.strictObject({
  limit: limitParam,
  cursor: z.string().min(1).optional().describe('The cursor of the previous page'),
});
