import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRow } from '@baton/store';

/** Every API key starts with this: a bearer token that is a key, not a JWT (and secret scanners can spot it). */
export const API_KEY_PREFIX = 'baton_';

/** An API key as stored and listed: never its secret (the store's row). */
export type ApiKeyRecord = ApiKeyRow;

/** The table of API keys (Postgres, or PGlite embedded: libs/store; in memory in unit tests). */
export interface ApiKeyRepository {
  /** Inserts a key; `false` when its name is taken. */
  insert(record: ApiKeyRecord & { readonly secretHash: string }): Promise<boolean>;
  list(): Promise<ApiKeyRecord[]>;
  find(id: string): Promise<(ApiKeyRecord & { readonly secretHash: string }) | null>;
  /** Sets revokedAt (once); `null` for an unknown id. */
  revoke(id: string, at: Date): Promise<ApiKeyRecord | null>;
  /** Records a use, unless one was recorded less than `minIntervalMs` before `at`. */
  touch(id: string, at: Date, minIntervalMs: number): Promise<void>;
}

export const API_KEY_REPOSITORY = Symbol('ApiKeyRepository');

/** A key's last use is written at most this often (a busy worker must not write a row per request). */
export const LAST_USED_INTERVAL_MS = 60_000;

/** `baton_<id>_<secret>`: 12 hex characters of id, 32 random bytes of secret (base64url). */
const KEY_FORMAT = /^baton_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  readonly name: string;
  readonly permissions: readonly string[];
  readonly tenants: readonly string[];
}

export class ApiKeyNameTaken extends Error {
  constructor(readonly keyName: string) {
    super(`an API key named '${keyName}' exists already (names stay taken after a revoke)`);
  }
}

/**
 * API keys: made with a random 32-byte secret shown once, stored as its
 * SHA-256 (a secret of that entropy needs no slow hash), verified with a
 * constant-time comparison, revocable.
 */
export class ApiKeyService {
  /** When this process last wrote each key's lastUsedAt. */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly repository: ApiKeyRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The new key's record, and the key itself: the only time it is ever shown. */
  async create(input: NewApiKey): Promise<{ record: ApiKeyRecord; key: string }> {
    const id = randomBytes(6).toString('hex');
    const key = `${API_KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
    const record: ApiKeyRecord = {
      id,
      name: input.name,
      permissions: [...new Set(input.permissions)],
      tenants: [...new Set(input.tenants)],
      createdAt: this.now(),
      lastUsedAt: null,
      revokedAt: null,
    };
    if (!(await this.repository.insert({ ...record, secretHash: hashKey(key) }))) throw new ApiKeyNameTaken(input.name);
    return { record, key };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.repository.list();
  }

  revoke(id: string): Promise<ApiKeyRecord | null> {
    return this.repository.revoke(id, this.now());
  }

  /** The live key `key` is, or `null` (malformed, unknown, wrong secret, revoked). */
  async verify(key: string): Promise<ApiKeyRecord | null> {
    const match = KEY_FORMAT.exec(key);
    if (match === null) return null;
    const found = await this.repository.find(match[1]);
    if (found === null || found.revokedAt !== null) return null;
    const expected = Buffer.from(found.secretHash, 'hex');
    const actual = Buffer.from(hashKey(key), 'hex');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
    const now = this.now().getTime();
    if (now - (this.touched.get(found.id) ?? 0) >= LAST_USED_INTERVAL_MS) {
      this.touched.set(found.id, now);
      // Bookkeeping: a failed write must not fail the request it was made for.
      await this.repository.touch(found.id, new Date(now), LAST_USED_INTERVAL_MS).catch(() => undefined);
    }
    const { secretHash: _hash, ...record } = found;
    return record;
  }
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}
