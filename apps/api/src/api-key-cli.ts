import { parseArgs } from 'node:util';
import { loadSettingsOrExit } from '@baton/config';
import { openStore } from '@baton/host';
import { PgApiKeyRepository } from '@baton/store';
import { ApiKeyService, hashPassword, tenantList, unknownPermissions } from '@baton/api';

const USAGE = `Usage (docs/security.md):
  api-key create --name <name> --permissions <p1,p2> [--tenants <t1,t2|*>]
        makes an API key and prints it, this once (tenants default: the default tenant)
  api-key list
        every key, without secrets
  api-key revoke <id>
  api-key hash-password
        reads a password on standard input, prints its scrypt hash for AUTH_USERS_FILE

Keys are stored in the database the settings name (DATABASE_URL, or the embedded one in DATA_DIR).`;

/**
 * The command line of API keys, so the first admin key can be made before
 * anyone can call the API: `npm run api-key -- create ...` from a checkout,
 * `node dist/apps/api/apps/api/src/api-key-cli.js create ...` in the image.
 * Returns the exit code.
 */
export async function apiKeyCli(argv: readonly string[], out: (line: string) => void = console.log): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'hash-password') {
    const password = (await readStdin()).replace(/\r?\n$/, '');
    if (password === '') {
      console.error('hash-password: give the password on standard input (printf %s "$PASSWORD" | npm run api-key -- hash-password)');
      return 2;
    }
    out(await hashPassword(password));
    return 0;
  }
  if (command !== 'create' && command !== 'list' && command !== 'revoke') {
    console.error(USAGE);
    return 2;
  }
  const { values, positionals } = parseArgs({
    args: [...rest],
    options: { name: { type: 'string' }, permissions: { type: 'string' }, tenants: { type: 'string' } },
    allowPositionals: true,
  });
  const list = (value: string | undefined) => (value ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (command === 'create') {
    const permissions = list(values.permissions);
    const bad = unknownPermissions(permissions);
    if (values.name === undefined || permissions.length === 0 || bad.length > 0) {
      console.error(
        bad.length > 0
          ? `create: not permissions: ${bad.join(', ')} (deploy, start, start:<processId>, read, operate, jobs, jobs:<type>, tasks, admin)`
          : `create: --name and --permissions are required\n\n${USAGE}`,
      );
      return 2;
    }
  }
  if (command === 'revoke' && positionals.length !== 1) {
    console.error(`revoke: give the key's id\n\n${USAGE}`);
    return 2;
  }
  const settings = loadSettingsOrExit();
  const store = await openStore(settings, { log: () => undefined, warn: (m: string) => console.error(m), error: (m: string) => console.error(m) });
  try {
    const keys = new ApiKeyService(new PgApiKeyRepository(store.prisma));
    if (command === 'create') {
      const { record, key } = await keys.create({
        name: values.name as string,
        permissions: list(values.permissions),
        tenants: tenantList(list(values.tenants)),
      });
      out(`made API key ${record.id} '${record.name}': permissions ${record.permissions.join(',')}, tenants ${record.tenants.join(',')}`);
      out('the key (shown this once; use it as `Authorization: Bearer <key>`, or as the Basic password):');
      out(key);
    } else if (command === 'list') {
      for (const k of await keys.list()) {
        out(
          `${k.id}  ${k.name}  permissions=${k.permissions.join(',')}  tenants=${k.tenants.join(',')}  created=${k.createdAt.toISOString()}` +
            `  lastUsed=${k.lastUsedAt?.toISOString() ?? '-'}${k.revokedAt === null ? '' : `  REVOKED ${k.revokedAt.toISOString()}`}`,
        );
      }
    } else {
      const revoked = await keys.revoke(positionals[0]);
      if (revoked === null) {
        console.error(`revoke: no API key with id '${positionals[0]}'`);
        return 1;
      }
      out(`revoked API key ${revoked.id} '${revoked.name}'`);
    }
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  } finally {
    await store.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

if (require.main === module) {
  void apiKeyCli(process.argv.slice(2)).then((code) => process.exit(code));
}
