import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { permissionList } from './permissions';
import { tenantList } from './caller';

/** A user of AUTH_USERS_FILE. */
export interface BasicUser {
  readonly name: string;
  readonly passwordHash: string;
  readonly permissions: ReadonlySet<string>;
  readonly tenants: readonly string[];
  readonly groups: readonly string[];
}

const UserSchema = z.object({
  name: z.string().min(1),
  passwordHash: z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=_-]+\$[A-Za-z0-9+/=_-]+$/, {
    message: 'must be a hash from `npm run api-key -- hash-password` (scrypt$N$r$p$salt$hash)',
  }),
  permissions: z.array(z.string()).default([]),
  tenants: z.array(z.string()).optional(),
  groups: z.array(z.string().min(1)).default([]),
});

export class UsersFileError extends Error {}

/** Reads and checks AUTH_USERS_FILE: a JSON array of `{ name, passwordHash, permissions, tenants, groups }`. */
export function loadUsersFile(path: string): ReadonlyMap<string, BasicUser> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsersFileError(`AUTH_USERS_FILE '${path}' cannot be read as JSON: ${(e as Error).message}`);
  }
  const parsed = z.array(UserSchema).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsersFileError(`AUTH_USERS_FILE '${path}': at ${issue.path.join('.') || 'the top'}: ${issue.message}`);
  }
  const users = new Map<string, BasicUser>();
  for (const u of parsed.data) {
    if (users.has(u.name)) throw new UsersFileError(`AUTH_USERS_FILE '${path}' lists the user '${u.name}' twice`);
    users.set(u.name, { name: u.name, passwordHash: u.passwordHash, permissions: permissionList(u.permissions), tenants: tenantList(u.tenants), groups: [...new Set(u.groups)] });
  }
  return users;
}

const SCRYPT: ScryptOptions & { N: number; r: number; p: number } = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error === null ? resolve(key) : reject(error))),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64) of a password, for AUTH_USERS_FILE. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt') return false;
  const expected = Buffer.from(hash, 'base64');
  const options = { N: Number(n), r: Number(r), p: Number(p), maxmem: 256 * 1024 * 1024 };
  const actual = await derive(password, Buffer.from(salt, 'base64'), options);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** How long a verified name and password are remembered (scrypt is slow on purpose; clients send Basic on every request). */
const REMEMBER_MS = 60_000;
/** Compared against when the name is unknown, so that a wrong name takes as long as a wrong password. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** Checks HTTP Basic credentials against the users of AUTH_USERS_FILE. */
export class BasicUsers {
  private readonly verified = new Map<string, number>();

  constructor(
    private readonly users: ReadonlyMap<string, BasicUser>,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(name: string, password: string): Promise<BasicUser | null> {
    const user = this.users.get(name);
    const remembered = createHash('sha256').update(`${name}\0${password}`).digest('base64');
    const until = this.verified.get(remembered);
    if (user !== undefined && until !== undefined && until > this.now()) return user;
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!ok || user === undefined) return null;
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(remembered, this.now() + REMEMBER_MS);
    return user;
  }
}
