import { describeStoreContract } from './store.contract';
import { STORE_ADAPTERS } from './store-fixtures';

// One suite, both store adapters: Postgres through @prisma/adapter-pg, PGlite in memory.
for (const adapter of STORE_ADAPTERS) describeStoreContract(adapter);
