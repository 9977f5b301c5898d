-- Compact history (docs/architecture.md "Row writes"): one row per instance and
-- step holding the step's events as parallel arrays, instead of one row per
-- event. An event's position (the `/history` cursor) is `id * 1024 + its index`.

-- CreateTable
CREATE TABLE "HistoryStep" (
    "id" BIGSERIAL NOT NULL,
    "instanceId" BIGINT NOT NULL,
    "types" "HistoryEventType"[],
    "elementIds" TEXT[],
    "elementTypes" TEXT[],
    "elementInstanceIds" BIGINT[],
    "at" TIMESTAMPTZ(3)[],

    CONSTRAINT "HistoryStep_pkey" PRIMARY KEY ("id")
);

-- The existing events: each run of an instance's events written at the same
-- time (one step) becomes one row (1,024 events at most), rows in the order of
-- their first event, events in their order. Positions change (old cursors no
-- longer apply), the order of every instance's history does not.
INSERT INTO "HistoryStep" ("instanceId", "types", "elementIds", "elementTypes", "elementInstanceIds", "at")
SELECT c."instanceId",
       array_agg(c."type" ORDER BY c."id"),
       array_agg(c."elementId" ORDER BY c."id"),
       array_agg(c."elementType" ORDER BY c."id"),
       array_agg(c."elementInstanceId" ORDER BY c."id"),
       array_agg(c."at" ORDER BY c."id")
  FROM (
    SELECT r.*, (row_number() OVER (PARTITION BY r."instanceId", r."at", r."run" ORDER BY r."id") - 1) / 1024 AS "chunk"
      FROM (
        SELECT h.*,
               row_number() OVER (PARTITION BY h."instanceId" ORDER BY h."id")
                 - row_number() OVER (PARTITION BY h."instanceId", h."at" ORDER BY h."id") AS "run"
          FROM "HistoryEvent" h
      ) r
  ) c
 GROUP BY c."instanceId", c."at", c."run", c."chunk"
 ORDER BY min(c."id");

-- DropTable
DROP TABLE "HistoryEvent";

-- CreateIndex
CREATE INDEX "HistoryStep_instanceId_id_idx" ON "HistoryStep"("instanceId", "id");

-- CreateIndex
CREATE INDEX "HistoryStep_elementInstanceIds_idx" ON "HistoryStep" USING GIN ("elementInstanceIds");

-- The worker's instance update keeps its row on the page when it can (a HOT
-- update, no index entries) when no indexed column changes: room for it.
ALTER TABLE "ProcessInstance" SET (fillfactor = 90);

-- One row per event, as the history was before: for SQL of your own (and
-- old queries). `id` is the event's position, `type` its HistoryEventType.
CREATE VIEW "HistoryEvent" AS
SELECT h."id" * 1024 + e."n" - 1 AS "id", h."instanceId", e."type", e."elementId", e."elementType", e."elementInstanceId", e."at"
  FROM "HistoryStep" h
 CROSS JOIN LATERAL unnest(h."types", h."elementIds", h."elementTypes", h."elementInstanceIds", h."at")
       WITH ORDINALITY AS e("type", "elementId", "elementType", "elementInstanceId", "at", "n");
