import { Controller, Get, Inject, Logger } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { Settings } from '@baton/config';
import { SETTINGS } from '@baton/host';
import { ApiJsonResponse } from '../http/openapi';

const SignInOptionsSchema = z.object({
  methods: z
    .array(z.enum(['api-key', 'basic', 'oidc']))
    .describe('What AUTH accepts; empty with AUTH=none (no sign-in needed)')
    .meta({ example: ['api-key', 'oidc'] }),
  oidc: z
    .object({
      issuer: z.string(),
      clientId: z.string().describe('OIDC_CLIENT_ID: the cockpit, a public client'),
      scopes: z.string().describe('OIDC_SCOPES, space-separated'),
      audience: z
        .string()
        .nullable()
        .describe('The first OIDC_AUDIENCE value, sent as `audience` (Auth0 needs it; others ignore it)'),
      authorizationEndpoint: z.string(),
      tokenEndpoint: z.string(),
    })
    .nullable()
    .describe(
      'The authorization code flow with PKCE, when AUTH includes oidc and OIDC_CLIENT_ID is set and the issuer answered',
    ),
  oidcUnavailable: z
    .string()
    .nullable()
    .describe('Why OIDC sign-in is offered but cannot be used now (the issuer did not answer discovery)'),
});

type SignInOptions = z.infer<typeof SignInOptionsSchema>;

interface Endpoints {
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
}

/**
 * `GET /api/v1/sign-in`: how a browser signs in, for the cockpit's sign-in
 * page (public: it is asked before there are credentials, and says nothing
 * the issuer's own discovery document does not). With AUTH=oidc and
 * OIDC_CLIENT_ID the cockpit runs the authorization code flow with PKCE
 * against the endpoints of the issuer's discovery document, fetched on first
 * use and again after a failure.
 */
@ApiTags('me')
@Controller('sign-in')
export class SignInController {
  private readonly logger = new Logger('SignIn');
  private endpoints: Promise<Endpoints> | undefined;

  constructor(@Inject(SETTINGS) private readonly settings: Settings) {}

  @Get()
  @ApiOperation({ summary: 'How to sign in: the accepted methods and the OIDC code flow of the cockpit' })
  @ApiJsonResponse(200, SignInOptionsSchema, 'The sign-in methods')
  async options(): Promise<SignInOptions> {
    const methods = [...(this.settings.AUTH ?? [])];
    const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId } = this.settings;
    if (!methods.includes('oidc') || issuer === undefined || clientId === undefined) {
      return { methods, oidc: null, oidcUnavailable: null };
    }
    try {
      const endpoints = await this.discover(issuer);
      return {
        methods,
        oidc: {
          issuer,
          clientId,
          scopes: this.settings.OIDC_SCOPES,
          audience: this.settings.OIDC_AUDIENCE?.[0] ?? null,
          ...endpoints,
        },
        oidcUnavailable: null,
      };
    } catch (e) {
      const reason = `the issuer's discovery document cannot be read: ${(e as Error).message}`;
      this.logger.warn(reason);
      return { methods, oidc: null, oidcUnavailable: reason };
    }
  }

  private discover(issuer: string): Promise<Endpoints> {
    this.endpoints ??= readEndpoints(issuer).catch((e: unknown) => {
      this.endpoints = undefined;
      throw e;
    });
    return this.endpoints;
  }
}

async function readEndpoints(issuer: string): Promise<Endpoints> {
  const discovery = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(discovery, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${discovery} answered ${response.status}`);
  const document = (await response.json()) as Record<string, unknown>;
  const { authorization_endpoint: authorizationEndpoint, token_endpoint: tokenEndpoint } = document;
  if (typeof authorizationEndpoint !== 'string' || typeof tokenEndpoint !== 'string') {
    throw new Error(`${discovery} names no authorization_endpoint and token_endpoint`);
  }
  return { authorizationEndpoint, tokenEndpoint };
}
