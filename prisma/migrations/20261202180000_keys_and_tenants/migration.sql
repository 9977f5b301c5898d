-- 64-bit keys instead of UUIDs, tenants, deployments, idempotent requests.
--
-- Existing data is kept: every UUID the store holds (row ids, element instance
-- ids inside instance states and inbox events, effect keys) is mapped to a key
-- numbered in UUID order. UUIDs were v7 (time-ordered), so the mapped keys keep
-- "newest first": they are small numbers, below every key the application
-- generates from now on (those start at about 2^62).

CREATE TABLE "_baton_key_map" ("uuid" UUID PRIMARY KEY, "key" BIGINT NOT NULL);

INSERT INTO "_baton_key_map" ("uuid", "key")
SELECT u, row_number() OVER (ORDER BY u)
  FROM (
    SELECT "id" AS u FROM "Definition"
    UNION SELECT "id" FROM "ProcessInstance"
    UNION SELECT "parentInstanceId" FROM "ProcessInstance"
    UNION SELECT "parentElementInstanceId" FROM "ProcessInstance"
    UNION SELECT "definitionId" FROM "ProcessInstance"
    UNION SELECT k::uuid FROM "ProcessInstance", jsonb_object_keys("state"->'elements') AS k
    UNION SELECT "elementInstanceId" FROM "HistoryEvent"
    UNION SELECT "instanceId" FROM "HistoryEvent"
    UNION SELECT "id" FROM "UserTask"
    UNION SELECT "instanceId" FROM "UserTask"
    UNION SELECT "id" FROM "Job"
    UNION SELECT "instanceId" FROM "Job"
    UNION SELECT "elementInstanceId" FROM "Job"
    UNION SELECT "id" FROM "Timer"
    UNION SELECT "instanceId" FROM "Timer"
    UNION SELECT "definitionId" FROM "Timer"
    UNION SELECT "ownerInstanceId" FROM "Timer"
    UNION SELECT "id" FROM "MessageSubscription"
    UNION SELECT "instanceId" FROM "MessageSubscription"
    UNION SELECT "ownerInstanceId" FROM "MessageSubscription"
    UNION SELECT "id" FROM "SignalSubscription"
    UNION SELECT "instanceId" FROM "SignalSubscription"
    UNION SELECT "ownerInstanceId" FROM "SignalSubscription"
    UNION SELECT "id" FROM "BufferedMessage"
    UNION SELECT "id" FROM "Incident"
    UNION SELECT "instanceId" FROM "Incident"
    UNION SELECT "elementInstanceId" FROM "Incident"
    UNION SELECT "jobId" FROM "Incident"
    UNION SELECT "id" FROM "StartSubscription"
    UNION SELECT "definitionId" FROM "StartSubscription"
    UNION SELECT "instanceId" FROM "InstanceEvent"
    UNION SELECT ("event"->>'elementInstanceId')::uuid FROM "InstanceEvent"
    UNION SELECT ("event"->>'ownerInstanceId')::uuid FROM "InstanceEvent"
  ) AS all_ids
 WHERE u IS NOT NULL;

CREATE FUNCTION "_baton_k"(t TEXT) RETURNS BIGINT LANGUAGE sql STABLE AS $$
  SELECT "key" FROM "_baton_key_map" WHERE "uuid" = t::uuid
$$;

-- An effect key: `<uuid>:<elementId>`, `<uuid>`, or `start:<definition uuid>:<elementId>`.
CREATE FUNCTION "_baton_effect_key"(k TEXT) RETURNS TEXT LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN k LIKE 'start:%' THEN 'start:' || "_baton_k"(substr(k, 7, 36)) || substr(k, 43)
    ELSE "_baton_k"(substr(k, 1, 36)) || substr(k, 37)
  END
$$;

-- The engine state: element instance ids are the keys of `elements`, and `id`,
-- `parentId` inside them, `rootId` and `instanceId` at the top.
CREATE FUNCTION "_baton_state"(s JSONB) RETURNS JSONB LANGUAGE sql STABLE AS $$
  SELECT s || jsonb_build_object(
    'instanceId', "_baton_k"(s->>'instanceId')::text,
    'rootId', "_baton_k"(s->>'rootId')::text,
    'elements', COALESCE((
      SELECT jsonb_object_agg(
               "_baton_k"(e.key)::text,
               e.value || jsonb_build_object('id', "_baton_k"(e.key)::text)
                 || CASE WHEN e.value->>'parentId' IS NULL THEN '{}'::jsonb
                         ELSE jsonb_build_object('parentId', "_baton_k"(e.value->>'parentId')::text) END)
        FROM jsonb_each(s->'elements') AS e), '{}'::jsonb))
$$;

CREATE FUNCTION "_baton_event"(ev JSONB) RETURNS JSONB LANGUAGE sql STABLE AS $$
  SELECT ev
    || CASE WHEN ev ? 'elementInstanceId'
            THEN jsonb_build_object('elementInstanceId', "_baton_k"(ev->>'elementInstanceId')::text) ELSE '{}'::jsonb END
    || CASE WHEN ev ? 'ownerInstanceId'
            THEN jsonb_build_object('ownerInstanceId', "_baton_k"(ev->>'ownerInstanceId')::text) ELSE '{}'::jsonb END
$$;

-- Indexes over renamed or retyped columns are made again below.
DROP INDEX "BufferedMessage_messageId_key";
DROP INDEX "BufferedMessage_name_correlationKey_idx";
DROP INDEX "Definition_key_hash_idx";
DROP INDEX "Definition_key_version_key";
DROP INDEX "Incident_resolvedAt_idx";
DROP INDEX "MessageSubscription_messageName_correlationKey_idx";
DROP INDEX "ProcessInstance_processKey_id_idx";
DROP INDEX "ProcessInstance_status_id_idx";
DROP INDEX "SignalSubscription_signalName_idx";
DROP INDEX "StartSubscription_kind_name_idx";
DROP INDEX "StartSubscription_processKey_idx";
DROP INDEX "UserTask_processKey_state_idx";
DROP INDEX "UserTask_state_assignee_idx";

-- Definition
ALTER TABLE "Definition" RENAME COLUMN "key" TO "bpmnProcessId";
ALTER TABLE "Definition"
  ALTER COLUMN "id" TYPE BIGINT USING "_baton_k"("id"::text),
  ALTER COLUMN "id" DROP DEFAULT,
  ADD COLUMN "deploymentId" BIGINT,
  ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '<default>',
  ADD COLUMN "versionTag" TEXT;

-- ProcessInstance (states first, while their ids are still UUIDs)
UPDATE "ProcessInstance" SET "state" = "_baton_state"("state");
-- A suspended instance's state says so itself now (the engine applies only commands to it).
UPDATE "ProcessInstance" SET "state" = jsonb_set("state", '{status}', '"SUSPENDED"') WHERE "status" = 'SUSPENDED';
ALTER TABLE "ProcessInstance" RENAME COLUMN "processKey" TO "bpmnProcessId";
ALTER TABLE "ProcessInstance"
  ALTER COLUMN "id" TYPE BIGINT USING "_baton_k"("id"::text),
  ALTER COLUMN "id" DROP DEFAULT,
  ALTER COLUMN "definitionId" TYPE BIGINT USING "_baton_k"("definitionId"::text),
  ALTER COLUMN "parentInstanceId" TYPE BIGINT USING "_baton_k"("parentInstanceId"::text),
  ALTER COLUMN "parentElementInstanceId" TYPE BIGINT USING "_baton_k"("parentElementInstanceId"::text),
  ADD COLUMN "stepFailures" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '<default>';

-- HistoryEvent
ALTER TABLE "HistoryEvent"
  ALTER COLUMN "instanceId" TYPE BIGINT USING "_baton_k"("instanceId"::text),
  ALTER COLUMN "elementInstanceId" TYPE BIGINT USING "_baton_k"("elementInstanceId"::text);

-- UserTask
ALTER TABLE "UserTask" RENAME COLUMN "processKey" TO "bpmnProcessId";
ALTER TABLE "UserTask"
  ALTER COLUMN "id" TYPE BIGINT USING "_baton_k"("id"::text),
  ALTER COLUMN "instanceId" TYPE BIGINT USING "_baton_k"("instanceId"::text),
  ADD COLUMN "definitionId" BIGINT,
  ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 50,
  ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '<default>';
UPDATE "UserTask" t SET "definitionId" = p."definitionId" FROM "ProcessInstance" p WHERE p."id" = t."instanceId";

-- Job
ALTER TABLE "Job" RENAME COLUMN "processKey" TO "bpmnProcessId";
UPDATE "Job" SET "key" = "_baton_effect_key"("key");
ALTER TABLE "Job"
  ALTER COLUMN "id" TYPE BIGINT USING "_baton_k"("id"::text),
  ALTER COLUMN "id" DROP DEFAULT,
  ALTER COLUMN "instanceId" TYPE BIGINT USING "_baton_k"("instanceId"::text),
  ALTER COLUMN "elementInstanceId" TYPE BIGINT USING "_baton_k"("elementInstanceId"::text),
  ADD COLUMN "definitionId" BIGINT,
  ADD COLUMN "outcome" TEXT,
  ADD COLUMN "outcomeDigest" TEXT,
  ADD COLUMN "outcomeWorkerId" TEXT,
  ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '<default>';
UPDATE "Job" j SET "definitionId" = p."definitionId" FROM "ProcessInstance" p WHERE p."id" = j."instanceId";

-- Timer
UPDATE "Timer" SET "key" = "_baton_effect_key"("key");
ALTER TABLE "Timer"
  ALTER COLUMN "id" TYPE BIGINT USING "_baton_k"("id"::text),
  ALTER COLUMN "id" DROP DEFAULT,
  ALTER COLUMN "instanceId" TYPE BIGINT USING "_baton_k"("instanceId"::text),
  ALTER COLUMN "definitionId" TYPE BIGINT USING "_baton_k"("definitionId"::text),
  ALTER COLUMN "ownerInstanceId" TYPE BIGINT USING "_baton_k"("ownerInstanceId"::text),
  ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '<default>';

-- MessageSubscription
ALTER TABLE "MessageSubscription" RENAME COLUMN "processKey" TO "bpmnProcessId";
UPDATE "MessageSubscription" SET "key" = "_baton_effect_key"("key");
ALTER TABLE "MessageSubscription"
  ALTER COLUMN "id" TYPE BIGINT USING "_baton_k"("id"::text),
  ALTER COLUMN "id" DROP DEFAULT,
  ALTER COLUMN "instanceId" TYPE BIGINT USING "_baton_k"("instanceId"::text),
  ALTER COLUMN "ownerInstanceId" TYPE BIGINT USING "_baton_k"("ownerInstanceId"::text),
  ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '<default>';

-- SignalSubscription
ALTER TABLE "SignalSubscription" RENAME COLUMN "processKey" TO "bpmnProcessId";
UPDATE "SignalSubscription" SET "key" = "_baton_effect_key"("key");
ALTER TABLE "SignalSubscription"
  ALTER COLUMN "id" TYPE BIGINT USING "_baton_k"("id"::text),
  ALTER COLUMN "id" DROP DEFAULT,
  ALTER COLUMN "instanceId" TYPE BIGINT USING "_baton_k"("instanceId"::text),
  ALTER COLUMN "ownerInstanceId" TYPE BIGINT USING "_baton_k"("ownerInstanceId"::text),
  ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '<default>';

-- BufferedMessage
ALTER TABLE "BufferedMessage"
  ALTER COLUMN "id" TYPE BIGINT USING "_baton_k"("id"::text),
  ALTER COLUMN "id" DROP DEFAULT,
  ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '<default>';

-- Incident
ALTER TABLE "Incident"
  ALTER COLUMN "id" TYPE BIGINT USING "_baton_k"("id"::text),
  ALTER COLUMN "id" DROP DEFAULT,
  ALTER COLUMN "instanceId" TYPE BIGINT USING "_baton_k"("instanceId"::text),
  ALTER COLUMN "elementInstanceId" TYPE BIGINT USING "_baton_k"("elementInstanceId"::text),
  ALTER COLUMN "jobId" TYPE BIGINT USING "_baton_k"("jobId"::text),
  ADD COLUMN "bpmnProcessId" TEXT,
  ADD COLUMN "definitionId" BIGINT,
  ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '<default>';
UPDATE "Incident" i SET "definitionId" = p."definitionId", "bpmnProcessId" = p."bpmnProcessId"
  FROM "ProcessInstance" p WHERE p."id" = i."instanceId";
-- Jobs out of retries are incidents of the engine now: their element carries the incident.
UPDATE "ProcessInstance" p
   SET "state" = jsonb_set(p."state", '{elements}', (
         SELECT jsonb_object_agg(e.key, CASE WHEN i."id" IS NULL THEN e.value
                  ELSE e.value || jsonb_build_object('incident',
                         jsonb_build_object('type', 'JOB_NO_RETRIES', 'message', i."message", 'phase', 'job')) END)
           FROM jsonb_each(p."state"->'elements') AS e
           LEFT JOIN "Incident" i ON i."instanceId" = p."id" AND i."elementInstanceId"::text = e.key
                                AND i."type" = 'JOB_NO_RETRIES' AND i."resolvedAt" IS NULL))
 WHERE EXISTS (SELECT 1 FROM "Incident" i
                WHERE i."instanceId" = p."id" AND i."type" = 'JOB_NO_RETRIES' AND i."resolvedAt" IS NULL);

-- StartSubscription
ALTER TABLE "StartSubscription" RENAME COLUMN "processKey" TO "bpmnProcessId";
ALTER TABLE "StartSubscription"
  ALTER COLUMN "id" TYPE BIGINT USING "_baton_k"("id"::text),
  ALTER COLUMN "id" DROP DEFAULT,
  ALTER COLUMN "definitionId" TYPE BIGINT USING "_baton_k"("definitionId"::text),
  ADD COLUMN "tenantId" TEXT NOT NULL DEFAULT '<default>';

-- InstanceEvent
UPDATE "InstanceEvent" SET "event" = "_baton_event"("event");
ALTER TABLE "InstanceEvent"
  ALTER COLUMN "instanceId" TYPE BIGINT USING "_baton_k"("instanceId"::text);

DROP FUNCTION "_baton_event"(JSONB);
DROP FUNCTION "_baton_state"(JSONB);
DROP FUNCTION "_baton_effect_key"(TEXT);
DROP FUNCTION "_baton_k"(TEXT);
DROP TABLE "_baton_key_map";

-- CreateTable
CREATE TABLE "Deployment" (
    "id" BIGINT NOT NULL,
    "tenantId" TEXT NOT NULL DEFAULT '<default>',
    "deployedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "KeyNode" (
    "node" INTEGER NOT NULL,
    "owner" TEXT NOT NULL,
    "leaseUntil" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "KeyNode_pkey" PRIMARY KEY ("node")
);

-- CreateTable
CREATE TABLE "IdempotencyRecord" (
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "resourceId" BIGINT NOT NULL,
    "answer" JSONB NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IdempotencyRecord_pkey" PRIMARY KEY ("scope","key")
);

-- CreateIndex
CREATE INDEX "IdempotencyRecord_expiresAt_idx" ON "IdempotencyRecord"("expiresAt");
CREATE INDEX "BufferedMessage_tenantId_name_correlationKey_idx" ON "BufferedMessage"("tenantId", "name", "correlationKey");
CREATE UNIQUE INDEX "BufferedMessage_tenantId_messageId_key" ON "BufferedMessage"("tenantId", "messageId");
CREATE INDEX "Definition_tenantId_bpmnProcessId_hash_idx" ON "Definition"("tenantId", "bpmnProcessId", "hash");
CREATE INDEX "Definition_deploymentId_idx" ON "Definition"("deploymentId");
CREATE UNIQUE INDEX "Definition_tenantId_bpmnProcessId_version_key" ON "Definition"("tenantId", "bpmnProcessId", "version");
CREATE INDEX "Incident_tenantId_resolvedAt_idx" ON "Incident"("tenantId", "resolvedAt");
CREATE INDEX "MessageSubscription_tenantId_messageName_correlationKey_idx" ON "MessageSubscription"("tenantId", "messageName", "correlationKey");
CREATE INDEX "ProcessInstance_tenantId_status_id_idx" ON "ProcessInstance"("tenantId", "status", "id");
CREATE INDEX "ProcessInstance_bpmnProcessId_id_idx" ON "ProcessInstance"("bpmnProcessId", "id");
CREATE INDEX "SignalSubscription_tenantId_signalName_idx" ON "SignalSubscription"("tenantId", "signalName");
CREATE INDEX "StartSubscription_tenantId_kind_name_idx" ON "StartSubscription"("tenantId", "kind", "name");
CREATE INDEX "StartSubscription_tenantId_bpmnProcessId_idx" ON "StartSubscription"("tenantId", "bpmnProcessId");
CREATE INDEX "UserTask_tenantId_state_assignee_idx" ON "UserTask"("tenantId", "state", "assignee");
CREATE INDEX "UserTask_bpmnProcessId_state_idx" ON "UserTask"("bpmnProcessId", "state");
