// Prisma 7 reads the datasource URL from here, not from schema.prisma.
// DATABASE_URL is optional so that `prisma generate` (postinstall) runs without it;
// the migration scripts in scripts/db/ check it themselves.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL },
});
