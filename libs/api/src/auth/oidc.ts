import { jose, type JWTPayload, type JWTVerifyGetKey } from './jose';

const { createRemoteJWKSet, errors, jwtVerify } = jose;
import type { Settings } from '@baton/config';
import { ALL_TENANTS, tenantList, type Caller } from './caller';
import { permissionList } from './permissions';

/** Why a bearer token was refused: said in the 401, never with the token. */
export class TokenRejected extends Error {}

/** Clock skew allowed between the issuer and this host, in seconds. */
const CLOCK_TOLERANCE_S = 30;

/**
 * Verifies OIDC access tokens (JWTs) against the issuer's signing keys:
 * signature, `iss` = OIDC_ISSUER, `aud` among OIDC_AUDIENCE, `exp`/`nbf`.
 * The keys come from OIDC_JWKS_URL, or from the `jwks_uri` of the issuer's
 * discovery document, fetched on first use (and again after a failure);
 * jose caches them and refetches when a token names an unknown `kid`.
 */
export class OidcVerifier {
  private keys: Promise<JWTVerifyGetKey> | undefined;

  constructor(
    private readonly settings: Pick<
      Settings,
      'OIDC_ISSUER' | 'OIDC_JWKS_URL' | 'OIDC_AUDIENCE' | 'OIDC_PRINCIPAL_CLAIM' | 'OIDC_PERMISSIONS_CLAIM' | 'OIDC_TENANTS_CLAIM' | 'OIDC_GROUPS_CLAIM'
    >,
  ) {}

  async verify(token: string): Promise<Caller> {
    const issuer = this.settings.OIDC_ISSUER;
    if (issuer === undefined) throw new TokenRejected('bearer tokens are not accepted (OIDC_ISSUER is not set)');
    const keys = await this.keySet(issuer);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer,
        audience: [...(this.settings.OIDC_AUDIENCE ?? [])],
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch (e) {
      throw new TokenRejected(reason(e));
    }
    return this.callerOf(payload);
  }

  /** The caller a verified token names, by the claim settings. */
  callerOf(payload: JWTPayload): Caller {
    const principal = (this.settings.OIDC_PRINCIPAL_CLAIM ?? ['sub'])
      .map((claim) => claimAt(payload, claim))
      .find((v): v is string => typeof v === 'string' && v !== '');
    if (principal === undefined) {
      throw new TokenRejected(`the token has none of the claims OIDC_PRINCIPAL_CLAIM names (${(this.settings.OIDC_PRINCIPAL_CLAIM ?? []).join(', ')})`);
    }
    const tenantsClaim = this.settings.OIDC_TENANTS_CLAIM;
    const tenants = tenantsClaim === undefined ? tenantList([]) : tenantList(strings(claimAt(payload, tenantsClaim)));
    const groupsClaim = this.settings.OIDC_GROUPS_CLAIM;
    return {
      principal,
      via: 'oidc',
      permissions: permissionList(strings(claimAt(payload, this.settings.OIDC_PERMISSIONS_CLAIM))),
      tenants: tenants.includes(ALL_TENANTS) ? [ALL_TENANTS] : tenants,
      groups: groupsClaim === undefined ? [] : [...new Set(strings(claimAt(payload, groupsClaim)))],
    };
  }

  private keySet(issuer: string): Promise<JWTVerifyGetKey> {
    this.keys ??= this.discover(issuer).then(
      (url) => createRemoteJWKSet(url, { timeoutDuration: 5_000, cooldownDuration: 30_000 }),
      (e: unknown) => {
        this.keys = undefined;
        throw new TokenRejected(`the issuer's signing keys cannot be fetched: ${(e as Error).message}`);
      },
    );
    return this.keys;
  }

  private async discover(issuer: string): Promise<URL> {
    if (this.settings.OIDC_JWKS_URL !== undefined) return new URL(this.settings.OIDC_JWKS_URL);
    const discovery = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(discovery, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`${discovery} answered ${response.status} (set OIDC_JWKS_URL if the issuer has no discovery document)`);
    const document = (await response.json()) as { jwks_uri?: unknown };
    if (typeof document.jwks_uri !== 'string') throw new Error(`${discovery} names no jwks_uri`);
    return new URL(document.jwks_uri);
  }
}

/** A claim by dotted path (`realm_access.roles`); a key containing dots (`https://example.com/roles`) is tried whole first. */
export function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A claim as a list of strings: an array of strings, or a space-separated string (`scope`). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter((s) => s !== '');
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

function reason(e: unknown): string {
  if (e instanceof errors.JWTExpired) return 'the bearer token has expired';
  if (e instanceof errors.JWTClaimValidationFailed) return `the bearer token's '${e.claim}' claim is not accepted (${e.reason})`;
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'the bearer token has a bad signature';
  if (e instanceof errors.JWKSNoMatchingKey) return 'the bearer token is signed with a key the issuer does not publish';
  if (e instanceof errors.JOSEError) return `the bearer token is not valid (${e.code})`;
  return 'the bearer token is not valid';
}
