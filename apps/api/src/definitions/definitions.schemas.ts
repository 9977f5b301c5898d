import { z } from 'zod';
import { limitParam } from '../http/validation';

export const DeployJsonBody = z.strictObject({ xml: z.string().min(1).describe('The BPMN 2.0 XML document') });

export const DefinitionSchema = z.object({
  id: z.uuid().describe('The id of this deployed version'),
  key: z.string().describe('The BPMN `<process id>`'),
  version: z.number().int(),
  name: z.string().nullable(),
  deployedAt: z.iso.datetime(),
});

export const DeployResponse = z.object({ processes: z.array(DefinitionSchema) });

export const DefinitionListQuery = z.object({
  limit: limitParam,
  cursor: z.string().min(1).optional().describe('The last key of the previous page'),
});

export const VersionQuery = z.object({
  version: z.coerce.number().int().positive().optional().describe('A deployed version; default the latest'),
});
