import { z } from 'zod';
import { keySchema, limitParam, variablesSchema } from '../http/validation';

export const DecisionSchema = z.object({
  id: keySchema.describe('The decision definition key of this deployed version'),
  key: z.string().describe('The DMN `<decision id>`').meta({ example: 'dish' }),
  version: z.number().int().describe('1 for the first deployment of the decision id, one more for each changed DMN document').meta({ example: 1 }),
  name: z.string().nullable().meta({ example: 'Dish' }),
  versionTag: z.string().nullable().describe('`zeebe:versionTag` of the decision').meta({ example: 'v1' }),
  decisionRequirementsId: z.string().describe('The DMN `<definitions id>` the decision belongs to').meta({ example: 'dinner-decisions' }),
  decisionRequirementsKey: keySchema.describe('The deployed version of that DMN document'),
  deploymentId: keySchema.describe('The deployment that brought this version'),
  tenantId: z.string().meta({ example: '<default>' }),
  deployedAt: z.iso.datetime().meta({ example: '2026-01-15T09:30:00.000Z' }),
});

export const DecisionRequirementsSchema = z.object({
  id: keySchema.describe('The decision requirements key of this deployed version'),
  key: z.string().describe('The DMN `<definitions id>`').meta({ example: 'dinner-decisions' }),
  version: z.number().int().meta({ example: 1 }),
  name: z.string().nullable().meta({ example: 'Dinner decisions' }),
  resourceName: z.string().meta({ example: 'dinner.dmn' }),
  deploymentId: keySchema,
  tenantId: z.string().meta({ example: '<default>' }),
  deployedAt: z.iso.datetime().meta({ example: '2026-01-15T09:30:00.000Z' }),
});

export const DeployDecisionsResponse = z.object({
  deploymentId: keySchema.describe('The deployment (the one that first brought these versions when nothing is new)'),
  processes: z.array(z.never()).describe('Always empty for a DMN document'),
  decisionRequirements: z.array(DecisionRequirementsSchema),
  decisions: z.array(DecisionSchema),
});

export const DeployDecisionsJsonBody = z.strictObject({ xml: z.string().min(1).describe('The DMN 1.1 - 1.5 XML document') });

export const DecisionListQuery = z.strictObject({
  limit: limitParam,
  cursor: z.string().min(1).optional().describe('From `nextCursor` of the previous page'),
});

export const EvaluateDecisionBody = z.strictObject({
  variables: variablesSchema.meta({ example: { month: 1, guestCount: 4 } }).optional(),
  version: z.number().int().min(1).optional().describe('A deployed version; default the latest'),
});

const evaluatedDecision = z.object({
  decisionId: z.string(),
  decisionName: z.string(),
  decisionType: z.string().meta({ example: 'DECISION_TABLE' }),
  versionTag: z.string().optional(),
  output: z.unknown(),
  evaluatedInputs: z.array(z.object({ inputId: z.string(), inputName: z.string(), inputValue: z.unknown() })),
  matchedRules: z.array(
    z.object({
      ruleId: z.string(),
      ruleIndex: z.number().int(),
      evaluatedOutputs: z.array(z.object({ outputId: z.string(), outputName: z.string(), outputValue: z.unknown() })),
    }),
  ),
});

export const EvaluationSchema = z.object({
  decisionId: z.string().meta({ example: 'dish' }),
  decisionKey: keySchema,
  decisionName: z.string().nullable(),
  decisionVersion: z.number().int(),
  decisionRequirementsId: z.string(),
  decisionRequirementsKey: keySchema,
  decisionInstanceKey: keySchema,
  tenantId: z.string(),
  output: z.unknown().describe('The decision result as a JSON value; null when the evaluation failed'),
  failedDecisionId: z.string().nullable().describe('The decision that failed (the one asked for, or one it requires)'),
  failureMessage: z.string().nullable(),
  evaluatedDecisions: z.array(evaluatedDecision),
});

export const DecisionInstanceSchema = z.object({
  id: keySchema,
  processInstanceId: keySchema.nullable(),
  elementInstanceId: keySchema.nullable(),
  elementId: z.string().nullable().meta({ example: 'decide_dish' }),
  decisionId: z.string().meta({ example: 'dish' }),
  decisionKey: keySchema,
  decisionVersion: z.number().int(),
  decisionRequirementsKey: keySchema,
  state: z.enum(['EVALUATED', 'FAILED']),
  output: z.unknown(),
  failureMessage: z.string().nullable(),
  evaluatedDecisions: z.array(evaluatedDecision),
  evaluatedAt: z.iso.datetime(),
  tenantId: z.string(),
});
