// `npm run api-key -- <command>`: API keys and password hashes (apps/api/src/api-key-cli.ts, docs/security.md).
import { apiKeyCli } from '../apps/api/src/api-key-cli';

void apiKeyCli(process.argv.slice(2)).then((code) => process.exit(code));
