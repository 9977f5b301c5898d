-- The open incidents by instance: the instance list's filter hasIncident (GET /api/v1/instances)
-- and the overview's counts (GET /api/v1/overview) read only the open ones, a few among the
-- resolved incidents kept until retention deletes them.
CREATE INDEX "Incident_open_instanceId_idx" ON "Incident"("instanceId") WHERE "resolvedAt" IS NULL;
