-- CreateTable
CREATE TABLE "InstanceEvent" (
    "id" BIGSERIAL NOT NULL,
    "instanceId" UUID NOT NULL,
    "event" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InstanceEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "InstanceEvent_instanceId_id_idx" ON "InstanceEvent"("instanceId", "id");
