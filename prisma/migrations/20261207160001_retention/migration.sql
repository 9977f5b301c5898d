-- Retention (README "Operate"): how far history retention got, and an index
-- that walks ended instances oldest first (running instances are not in it).

-- CreateTable
CREATE TABLE "RetentionMark" (
    "name" TEXT NOT NULL,
    "upTo" TIMESTAMPTZ(3) NOT NULL,
    "lastId" BIGINT NOT NULL,

    CONSTRAINT "RetentionMark_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "ProcessInstance_endedAt_id_idx" ON "ProcessInstance"("endedAt", "id") WHERE ("endedAt" IS NOT NULL);
