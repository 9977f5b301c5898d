import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentCaller } from '../auth/caller.decorator';
import type { Caller } from '../auth/caller';
import { Permission, PERMISSIONS } from '../auth/permissions';
import { ApiJsonResponse, ApiProblems } from '../http/openapi';

const MeSchema = z.object({
  principal: z.string().meta({ example: 'alice' }),
  via: z
    .enum(['none', 'basic', 'api-key', 'oidc'])
    .describe('How the caller proved who it is; `none`: AUTH=none'),
  permissions: z
    .array(z.string())
    .describe(
      'The permissions held (`start:<bpmnProcessId>` and `jobs:<type>` for one resource); `admin` lists every permission',
    )
    .meta({ example: ['read', 'start:order'] }),
  tenants: z
    .array(z.string())
    .describe('The tenants the caller sees and acts in; `*`: every tenant')
    .meta({ example: ['<default>'] }),
  groups: z
    .array(z.string())
    .describe('Groups whose user tasks the caller may work')
    .meta({ example: ['sales'] }),
});

export interface Me {
  readonly principal: string;
  readonly via: Caller['via'];
  readonly permissions: string[];
  readonly tenants: string[];
  readonly groups: string[];
}

/**
 * `GET /api/v1/me`: who the caller is and what it may do, for a UI to show
 * only the actions it may take (the cockpit reads it once after sign-in).
 * Any authenticated caller may ask about itself; nothing here is a secret of
 * the caller's. An admin (the anonymous caller of AUTH=none among them) is
 * listed with every permission, so a client needs no rule of its own for
 * `admin`.
 */
@ApiTags('me')
@Controller('me')
export class MeController {
  @Get()
  @ApiOperation({ summary: 'The caller: its principal, permissions, tenants and groups' })
  @ApiJsonResponse(200, MeSchema, 'The authenticated caller')
  @ApiProblems(401)
  me(@CurrentCaller() caller: Caller): Me {
    return describeCaller(caller);
  }
}

export function describeCaller(caller: Caller): Me {
  const held = caller.permissions.has(Permission.Admin)
    ? [...PERMISSIONS, ...caller.permissions]
    : [...caller.permissions];
  return {
    principal: caller.principal,
    via: caller.via,
    permissions: [...new Set(held)].sort(),
    tenants: [...caller.tenants],
    groups: [...caller.groups],
  };
}
