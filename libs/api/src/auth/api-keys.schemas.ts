import { z } from 'zod';
import { unknownPermissions } from './permissions';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/, 'must be 1 to 100 letters, digits, ".", "_", "@" or "-", not starting with a sign');

export const CreateApiKeyBody = z.strictObject({
  name,
  permissions: z
    .array(z.string().min(1))
    .max(100)
    .superRefine((list, ctx) => {
      const bad = unknownPermissions(list);
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `not permissions: ${bad.map((b) => `'${b}'`).join(', ')} (deploy, start, start:<processId>, read, operate, jobs, jobs:<type>, tasks, admin)`,
        });
      }
    }),
  tenants: z.array(z.string().min(1)).max(100).optional().describe("Tenant ids, '*' for all; default the default tenant"),
});

export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  permissions: z.array(z.string()),
  tenants: z.array(z.string()),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().describe('The key, shown this once: use it as `Authorization: Bearer <key>`'),
});
