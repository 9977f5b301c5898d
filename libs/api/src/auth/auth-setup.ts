import type { AuthMode, Settings } from '@baton/config';
import { HostConfigError } from '@baton/host';
import { ApiKeyService } from './api-keys';
import { Authenticator } from './authenticator';
import { BasicUsers, loadUsersFile, UsersFileError } from './basic-users';
import { OidcVerifier } from './oidc';
import { unknownPermissions } from './permissions';

/**
 * The authenticator AUTH asks for, or `null` for AUTH=none. AUTH unset is a
 * configuration error: the API is never open by accident (`npm start` sets
 * `none` itself, apps/baton/src/baton-app.ts).
 */
export function authenticatorFor(settings: Settings, apiKeys: ApiKeyService): Authenticator | null {
  const modes = authModes(settings);
  if (modes.length === 0) return null;
  let users: BasicUsers | undefined;
  if (modes.includes('basic') && settings.AUTH_USERS_FILE !== undefined) {
    try {
      const loaded = loadUsersFile(settings.AUTH_USERS_FILE);
      for (const user of loaded.values()) {
        const bad = unknownPermissions(user.permissions);
        if (bad.length > 0) {
          throw new UsersFileError(`AUTH_USERS_FILE: user '${user.name}' has unknown permissions ${bad.map((b) => `'${b}'`).join(', ')}`);
        }
      }
      users = new BasicUsers(loaded);
    } catch (e) {
      if (e instanceof UsersFileError) throw new HostConfigError(e.message);
      throw e;
    }
  }
  return new Authenticator(modes, {
    apiKeys: modes.includes('api-key') ? apiKeys : undefined,
    users,
    oidc: modes.includes('oidc') ? new OidcVerifier(settings) : undefined,
  });
}

/** AUTH's modes (`[]` for none); a {@link HostConfigError} naming the setting when it is unset. */
export function authModes(settings: Settings): readonly AuthMode[] {
  if (settings.AUTH === undefined) {
    throw new HostConfigError(
      "AUTH is not set: set AUTH to 'basic', 'api-key', 'oidc' (a comma list of them), or to 'none' to serve the API without authentication (docs/security.md)",
    );
  }
  return settings.AUTH;
}
