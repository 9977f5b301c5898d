import type { AuthMode } from '@baton/config';
import { looksLikeApiKey, type ApiKeyRecord, type ApiKeyService } from './api-keys';
import type { BasicUsers } from './basic-users';
import { ALL_TENANTS, tenantList, type Caller } from './caller';
import { TokenRejected, type OidcVerifier } from './oidc';
import { permissionList } from './permissions';

/** A request that did not prove who it is: the 401's detail, and the scheme that was tried. */
export interface Rejection {
  readonly rejected: string;
  /** `invalid_token` for a bearer token that was refused (RFC 6750). */
  readonly invalidToken?: boolean;
}

export interface AuthenticatorParts {
  readonly apiKeys?: ApiKeyService;
  readonly users?: BasicUsers;
  readonly oidc?: OidcVerifier;
}

/**
 * Who a request's `Authorization` header says it is, by the modes of AUTH:
 * `Bearer baton_...` an API key, any other bearer token a JWT of the OIDC
 * issuer, `Basic` a user of AUTH_USERS_FILE or an API key (user name = the
 * key's id or name, password = the key). Never says which part of a
 * credential was wrong, and never echoes it.
 */
export class Authenticator {
  constructor(
    readonly modes: readonly AuthMode[],
    private readonly parts: AuthenticatorParts,
  ) {}

  /**
   * The `WWW-Authenticate` challenge of a 401: Bearer only, even where Basic
   * is accepted. A Basic challenge makes browsers prompt for a password and
   * then send it by themselves with every request to the origin — cross-site
   * form posts included (CSRF). Camunda's clients send Basic without being
   * asked.
   */
  challenges(invalidToken = false): string[] {
    return [invalidToken ? 'Bearer realm="baton", error="invalid_token"' : 'Bearer realm="baton"'];
  }

  async authenticate(header: string | undefined): Promise<Caller | Rejection> {
    if (header === undefined || header.trim() === '') {
      return { rejected: `this route needs credentials (${this.accepted()})` };
    }
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const value = space < 0 ? '' : header.slice(space + 1).trim();
    if (scheme === 'bearer') return this.bearer(value);
    if (scheme === 'basic') return this.basic(value);
    return { rejected: `the Authorization scheme is not one Baton takes (${this.accepted()})` };
  }

  private async bearer(token: string): Promise<Caller | Rejection> {
    if (looksLikeApiKey(token)) {
      if (this.parts.apiKeys === undefined) return { rejected: 'API keys are not accepted (AUTH does not include api-key)', invalidToken: true };
      const key = await this.parts.apiKeys.verify(token);
      return key === null ? { rejected: 'the API key is unknown or revoked', invalidToken: true } : keyCaller(key);
    }
    if (this.parts.oidc === undefined) return { rejected: 'bearer tokens other than API keys are not accepted (AUTH does not include oidc)', invalidToken: true };
    try {
      return await this.parts.oidc.verify(token);
    } catch (e) {
      if (e instanceof TokenRejected) return { rejected: e.message, invalidToken: true };
      throw e;
    }
  }

  private async basic(encoded: string): Promise<Caller | Rejection> {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { rejected: 'the Basic credentials are not base64 of name:password' };
    const name = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (looksLikeApiKey(password) && this.parts.apiKeys !== undefined) {
      const key = await this.parts.apiKeys.verify(password);
      if (key !== null && (name === key.id || name === key.name)) return keyCaller(key);
      return { rejected: 'the name or the API key is wrong, or the key is revoked' };
    }
    if (this.parts.users === undefined) return { rejected: 'Basic credentials other than API keys are not accepted (AUTH does not include basic)' };
    const user = await this.parts.users.verify(name, password);
    if (user === null) return { rejected: 'the name or the password is wrong' };
    return { principal: user.name, via: 'basic', permissions: user.permissions, tenants: normalTenants(user.tenants), groups: user.groups };
  }

  private accepted(): string {
    const ways: string[] = [];
    if (this.modes.includes('api-key')) ways.push('an API key as Bearer or Basic');
    if (this.modes.includes('oidc')) ways.push('an OIDC bearer token');
    if (this.modes.includes('basic')) ways.push('Basic name and password');
    return ways.join(', ');
  }
}

/** API keys belong to no groups: a key is a machine's, and groups are people's (docs/security.md). */
function keyCaller(key: ApiKeyRecord): Caller {
  return {
    principal: key.name,
    via: 'api-key',
    permissions: permissionList(key.permissions),
    tenants: normalTenants(tenantList(key.tenants)),
    groups: [],
  };
}

function normalTenants(tenants: readonly string[]): readonly string[] {
  return tenants.includes(ALL_TENANTS) ? [ALL_TENANTS] : tenants;
}

export function isRejection(value: Caller | Rejection): value is Rejection {
  return 'rejected' in value;
}
