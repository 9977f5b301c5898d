-- AlterEnum: a process instance migration moved an element instance to another process version (Camunda 8's ELEMENT_MIGRATED).
ALTER TYPE "HistoryEventType" ADD VALUE 'ELEMENT_MIGRATED';

-- AlterTable: the migration plan of a MIGRATE_PROCESS_INSTANCE batch (target definition and mapping instructions).
ALTER TABLE "BatchOperation" ADD COLUMN "migrationPlan" JSONB;
