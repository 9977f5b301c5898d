-- CreateEnum
CREATE TYPE "InstanceStatus" AS ENUM ('ACTIVE', 'SUSPENDED', 'COMPLETED', 'CANCELED');

-- CreateEnum
CREATE TYPE "HistoryEventType" AS ENUM ('ELEMENT_ACTIVATED', 'ELEMENT_COMPLETED', 'ELEMENT_TERMINATED', 'INCIDENT_CREATED', 'INCIDENT_RESOLVED');

-- CreateEnum
CREATE TYPE "UserTaskState" AS ENUM ('CREATED', 'COMPLETED', 'CANCELED');

-- CreateEnum
CREATE TYPE "JobState" AS ENUM ('ACTIVATABLE', 'ACTIVATED', 'FAILED', 'COMPLETED', 'CANCELED');

-- CreateEnum
CREATE TYPE "TimerState" AS ENUM ('SCHEDULED', 'FIRED', 'CANCELED');

-- CreateEnum
CREATE TYPE "StartEventKind" AS ENUM ('MESSAGE', 'SIGNAL', 'TIMER');

-- CreateTable
CREATE TABLE "Definition" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT,
    "xml" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "deployedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Definition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProcessInstance" (
    "id" UUID NOT NULL,
    "definitionId" UUID NOT NULL,
    "processKey" TEXT NOT NULL,
    "processVersion" INTEGER NOT NULL,
    "status" "InstanceStatus" NOT NULL DEFAULT 'ACTIVE',
    "businessKey" TEXT,
    "variables" JSONB NOT NULL DEFAULT '{}',
    "state" JSONB NOT NULL,
    "rev" INTEGER NOT NULL DEFAULT 0,
    "parentInstanceId" UUID,
    "parentElementInstanceId" UUID,
    "pendingSince" TIMESTAMPTZ(3),
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ProcessInstance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HistoryEvent" (
    "id" BIGSERIAL NOT NULL,
    "instanceId" UUID NOT NULL,
    "type" "HistoryEventType" NOT NULL,
    "elementId" TEXT NOT NULL,
    "elementType" TEXT NOT NULL,
    "elementInstanceId" UUID,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "HistoryEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UserTask" (
    "id" UUID NOT NULL,
    "instanceId" UUID NOT NULL,
    "processKey" TEXT NOT NULL,
    "elementId" TEXT NOT NULL,
    "name" TEXT,
    "assignee" TEXT,
    "candidateGroups" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "candidateUsers" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "formKey" TEXT,
    "dueDate" TIMESTAMPTZ(3),
    "followUpDate" TIMESTAMPTZ(3),
    "state" "UserTaskState" NOT NULL DEFAULT 'CREATED',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMPTZ(3),

    CONSTRAINT "UserTask_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "instanceId" UUID NOT NULL,
    "elementInstanceId" UUID NOT NULL,
    "elementId" TEXT NOT NULL,
    "processKey" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "retries" INTEGER NOT NULL,
    "state" "JobState" NOT NULL DEFAULT 'ACTIVATABLE',
    "workerId" TEXT,
    "lockExpiresAt" TIMESTAMPTZ(3),
    "availableAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "customHeaders" JSONB NOT NULL DEFAULT '{}',
    "errorMessage" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Timer" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "instanceId" UUID,
    "definitionId" UUID,
    "ownerInstanceId" UUID,
    "elementId" TEXT NOT NULL,
    "dueAt" TIMESTAMPTZ(3) NOT NULL,
    "state" "TimerState" NOT NULL DEFAULT 'SCHEDULED',
    "repetitions" INTEGER,
    "cycle" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Timer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MessageSubscription" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "instanceId" UUID NOT NULL,
    "ownerInstanceId" UUID,
    "elementId" TEXT NOT NULL,
    "processKey" TEXT NOT NULL,
    "messageName" TEXT NOT NULL,
    "correlationKey" TEXT,
    "interrupting" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MessageSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SignalSubscription" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "instanceId" UUID NOT NULL,
    "ownerInstanceId" UUID,
    "elementId" TEXT NOT NULL,
    "processKey" TEXT NOT NULL,
    "signalName" TEXT NOT NULL,
    "interrupting" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SignalSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BufferedMessage" (
    "id" UUID NOT NULL,
    "messageId" TEXT,
    "name" TEXT NOT NULL,
    "correlationKey" TEXT,
    "variables" JSONB NOT NULL DEFAULT '{}',
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BufferedMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Incident" (
    "id" UUID NOT NULL,
    "instanceId" UUID NOT NULL,
    "elementId" TEXT NOT NULL,
    "elementInstanceId" UUID,
    "type" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "jobId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Incident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StartSubscription" (
    "id" UUID NOT NULL,
    "definitionId" UUID NOT NULL,
    "processKey" TEXT NOT NULL,
    "kind" "StartEventKind" NOT NULL,
    "name" TEXT NOT NULL,
    "elementId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StartSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Definition_key_hash_idx" ON "Definition"("key", "hash");

-- CreateIndex
CREATE UNIQUE INDEX "Definition_key_version_key" ON "Definition"("key", "version");

-- CreateIndex
CREATE INDEX "ProcessInstance_status_id_idx" ON "ProcessInstance"("status", "id");

-- CreateIndex
CREATE INDEX "ProcessInstance_processKey_id_idx" ON "ProcessInstance"("processKey", "id");

-- CreateIndex
CREATE INDEX "ProcessInstance_businessKey_idx" ON "ProcessInstance"("businessKey");

-- CreateIndex
CREATE INDEX "ProcessInstance_parentInstanceId_idx" ON "ProcessInstance"("parentInstanceId");

-- CreateIndex
CREATE INDEX "ProcessInstance_pendingSince_idx" ON "ProcessInstance"("pendingSince") WHERE ("pendingSince" IS NOT NULL);

-- CreateIndex
CREATE INDEX "HistoryEvent_instanceId_id_idx" ON "HistoryEvent"("instanceId", "id");

-- CreateIndex
CREATE INDEX "HistoryEvent_at_idx" ON "HistoryEvent"("at");

-- CreateIndex
CREATE INDEX "UserTask_state_assignee_idx" ON "UserTask"("state", "assignee");

-- CreateIndex
CREATE INDEX "UserTask_processKey_state_idx" ON "UserTask"("processKey", "state");

-- CreateIndex
CREATE INDEX "UserTask_instanceId_idx" ON "UserTask"("instanceId");

-- CreateIndex
CREATE INDEX "UserTask_candidateGroups_idx" ON "UserTask" USING GIN ("candidateGroups");

-- CreateIndex
CREATE UNIQUE INDEX "Job_key_key" ON "Job"("key");

-- CreateIndex
CREATE INDEX "Job_type_state_availableAt_idx" ON "Job"("type", "state", "availableAt");

-- CreateIndex
CREATE INDEX "Job_instanceId_idx" ON "Job"("instanceId");

-- CreateIndex
CREATE INDEX "Job_state_lockExpiresAt_idx" ON "Job"("state", "lockExpiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Timer_key_key" ON "Timer"("key");

-- CreateIndex
CREATE INDEX "Timer_state_dueAt_idx" ON "Timer"("state", "dueAt");

-- CreateIndex
CREATE INDEX "Timer_instanceId_idx" ON "Timer"("instanceId");

-- CreateIndex
CREATE INDEX "Timer_definitionId_idx" ON "Timer"("definitionId");

-- CreateIndex
CREATE UNIQUE INDEX "MessageSubscription_key_key" ON "MessageSubscription"("key");

-- CreateIndex
CREATE INDEX "MessageSubscription_messageName_correlationKey_idx" ON "MessageSubscription"("messageName", "correlationKey");

-- CreateIndex
CREATE INDEX "MessageSubscription_instanceId_idx" ON "MessageSubscription"("instanceId");

-- CreateIndex
CREATE UNIQUE INDEX "SignalSubscription_key_key" ON "SignalSubscription"("key");

-- CreateIndex
CREATE INDEX "SignalSubscription_signalName_idx" ON "SignalSubscription"("signalName");

-- CreateIndex
CREATE INDEX "SignalSubscription_instanceId_idx" ON "SignalSubscription"("instanceId");

-- CreateIndex
CREATE UNIQUE INDEX "BufferedMessage_messageId_key" ON "BufferedMessage"("messageId");

-- CreateIndex
CREATE INDEX "BufferedMessage_name_correlationKey_idx" ON "BufferedMessage"("name", "correlationKey");

-- CreateIndex
CREATE INDEX "BufferedMessage_expiresAt_idx" ON "BufferedMessage"("expiresAt");

-- CreateIndex
CREATE INDEX "Incident_instanceId_idx" ON "Incident"("instanceId");

-- CreateIndex
CREATE INDEX "Incident_resolvedAt_idx" ON "Incident"("resolvedAt");

-- CreateIndex
CREATE INDEX "StartSubscription_kind_name_idx" ON "StartSubscription"("kind", "name");

-- CreateIndex
CREATE INDEX "StartSubscription_processKey_idx" ON "StartSubscription"("processKey");

-- CreateIndex
CREATE UNIQUE INDEX "StartSubscription_definitionId_elementId_key" ON "StartSubscription"("definitionId", "elementId");
