-- Batch operations (README "Operate"): a batch and its items, resolved from the filter when it is
-- created. An item is marked in the transaction that applies it, so a crash never applies one twice.

-- CreateTable
CREATE TABLE "BatchOperation" (
    "key" BIGINT NOT NULL,
    "type" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "filter" JSONB NOT NULL,
    "retries" INTEGER,
    "tenantIds" TEXT[],
    "itemCount" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMPTZ(3),

    CONSTRAINT "BatchOperation_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "BatchOperationItem" (
    "batchKey" BIGINT NOT NULL,
    "itemKey" BIGINT NOT NULL,
    "instanceId" BIGINT NOT NULL,
    "chunk" INTEGER NOT NULL,
    "state" TEXT NOT NULL,
    "error" TEXT,
    "processedAt" TIMESTAMPTZ(3),

    CONSTRAINT "BatchOperationItem_pkey" PRIMARY KEY ("batchKey","itemKey")
);

-- CreateIndex
CREATE INDEX "BatchOperation_state_idx" ON "BatchOperation"("state");

-- CreateIndex
CREATE INDEX "BatchOperationItem_batchKey_chunk_state_idx" ON "BatchOperationItem"("batchKey", "chunk", "state");

-- CreateIndex
CREATE INDEX "BatchOperationItem_batchKey_state_idx" ON "BatchOperationItem"("batchKey", "state");
