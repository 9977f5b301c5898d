-- AlterTable: the variables of a SET_VARIABLES batch, merged into the process scope of every instance.
ALTER TABLE "BatchOperation" ADD COLUMN "variables" JSONB;
