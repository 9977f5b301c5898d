-- Event export (docs/export.md): an outbox written in the step's transaction,
-- the backoff state of each sink, and the records a sink gave up on.

-- CreateTable
CREATE TABLE "ExportRecord" (
    "id" BIGSERIAL NOT NULL,
    "instanceId" BIGINT NOT NULL,
    "bpmnProcessId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "pending" TEXT[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExportRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExportSink" (
    "name" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3),
    "lastError" TEXT,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMPTZ(3),

    CONSTRAINT "ExportSink_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "ExportDeadLetter" (
    "id" BIGSERIAL NOT NULL,
    "sink" TEXT NOT NULL,
    "recordId" BIGINT NOT NULL,
    "instanceId" BIGINT NOT NULL,
    "bpmnProcessId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "recordedAt" TIMESTAMPTZ(3) NOT NULL,
    "failedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL,
    "error" TEXT NOT NULL,

    CONSTRAINT "ExportDeadLetter_pkey" PRIMARY KEY ("id")
);
