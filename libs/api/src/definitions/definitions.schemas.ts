import { z } from 'zod';
import { DecisionRequirementsSchema, DecisionSchema } from '../decisions/decisions.schemas';
import { limitParam, keySchema } from '../http/validation';

export const DeployJsonBody = z.strictObject({ xml: z.string().min(1).describe('The BPMN 2.0 XML document') });

export const DefinitionSchema = z.object({
  id: keySchema.describe('The id of this deployed version'),
  key: z.string().describe('The BPMN `<process id>`').meta({ example: 'order' }),
  version: z.number().int().describe('1 for the first deployment of the key, one more for each changed one').meta({ example: 1 }),
  name: z.string().nullable().meta({ example: 'Order' }),
  versionTag: z.string().nullable().describe('`zeebe:versionTag` of the process').meta({ example: 'v1.0' }),
  deploymentId: keySchema.nullable().describe('The deployment that brought this version'),
  tenantId: z.string().meta({ example: '<default>' }),
  deployedAt: z.iso.datetime().meta({ example: '2026-01-15T09:30:00.000Z' }),
});

export const DeployResponse = z.object({
  deploymentId: keySchema.describe('The deployment (the one that first brought these versions when nothing is new)'),
  processes: z.array(DefinitionSchema),
  warnings: z
    .array(z.object({ elementId: z.string().nullable(), elementType: z.string().nullable(), message: z.string() }))
    .describe('Problems that did not stop the deployment (diagram references, processes not executable)'),
  decisionRequirements: z.array(DecisionRequirementsSchema).optional().describe('A DMN document: its decision requirements (then `processes` is empty)'),
  decisions: z.array(DecisionSchema).optional().describe('A DMN document: its decisions'),
});

export const DefinitionListQuery = z.strictObject({
  limit: limitParam,
  cursor: z.string().min(1).optional().describe('The last key of the previous page'),
});

export const VersionQuery = z.strictObject({
  version: z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, 'must be a version number (decimal digits)')
    .transform(Number)
    .optional()
    .describe('A deployed version; default the latest'),
});

/** A deletion names one version: deleting "the process" would silently take only its latest version. */
export const DeleteVersionQuery = z.strictObject({
  version: z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, 'must be a version number (decimal digits)')
    .transform(Number)
    .describe('The deployed version to delete'),
});
