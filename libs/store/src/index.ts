// Public surface of @baton/store: the repositories behind the runtime's
// ports (PgRuntimeStore), the Prisma client they run on (generated into
// ./generated/prisma by `npm run db:generate`, CommonJS), its factory, and
// the migration runners.
export { PrismaClient, Prisma } from './generated/prisma/client';
export { createPrismaClient } from './prisma-client.factory';
export type { PrismaClientOptions } from './prisma-client.factory';
export { applyMigrations } from './migrations';
export type { ApplyMigrationsOptions, ApplyMigrationsResult } from './migrations';
export { databaseTarget } from './database-target';
export { PgJobNotifications, jobChannel } from './job-notifications';
export type { JobNotificationsOptions } from './job-notifications';
export type { DatabaseTarget } from './database-target';
export { StoreError, StoreErrorCode } from './store-error';
export {
  openEmbeddedDatabase,
  createPglitePrismaClient,
  withConnectionAffinity,
  IN_MEMORY,
} from './pglite/pglite-client.factory';
export type { EmbeddedDatabase, EmbeddedDatabaseOptions } from './pglite/pglite-client.factory';
export {
  applyPgliteMigrations,
  readMigrationFiles,
  findMigrationsDir,
  migrationChecksum,
} from './pglite/pglite-migrations';
export type { MigrationFile } from './pglite/pglite-migrations';
export { lockDataDir } from './pglite/data-dir-lock';
export { startEmbeddedVacuum, vacuumRound, type VacuumRound } from './pglite/embedded-vacuum';
export type { DataDirLock } from './pglite/data-dir-lock';
export { defaultIsolationLevel, PgRuntimeStore, repositoriesOn, classify as classifyStoreError, type PgRuntimeStoreOptions } from './repositories/pg-runtime-store';
export { PgApiKeyRepository, type ApiKeyRow } from './repositories/api-key.repository';
export { PgAuditRepository, type AuditRow, type AuditFilter } from './repositories/audit.repository';
export { PgInspectionRepository } from './repositories/inspection.repository';
export { PgOverviewRepository } from './repositories/overview.repository';
export { PgRetentionRepository } from './repositories/retention.repository';
export { insertHistory, HISTORY_ROW_EVENTS } from './repositories/history.sql';
export { PgExportOutboxRepository, PgExportRepository } from './repositories/export.repository';
