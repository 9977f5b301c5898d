import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { may, type Me, type Permission } from './api';

/** The signed-in caller (`GET /api/v1/me`), read once per sign-in by the app; undefined until known. */
export const MeContext = createContext<Me | undefined>(undefined);

/**
 * `may(permission, resource?)` for the caller: pages show an action only when
 * it says yes (hidden, not disabled: what one may not do is not offered).
 * The API checks every call all the same; this only spares a 403.
 */
export function useMay(): (permission: Permission, resource?: string) => boolean {
  const me = useContext(MeContext);
  return (permission, resource) => may(me, permission, resource);
}

/** The signed-in caller, undefined until `/me` has answered. */
export const useMe = (): Me | undefined => useContext(MeContext);
