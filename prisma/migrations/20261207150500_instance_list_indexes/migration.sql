-- The instance list (GET /api/v1/instances, newest first) filtered by status, or by process and
-- status: an index in the list's order, so a status that only old instances have is found without
-- walking the primary key through every newer instance (bench/instance-list.bench.ts).
CREATE INDEX "ProcessInstance_status_id_idx" ON "ProcessInstance"("status", "id");
CREATE INDEX "ProcessInstance_bpmnProcessId_status_id_idx" ON "ProcessInstance"("bpmnProcessId", "status", "id");

-- Per-element statistics of a process version (GET /api/v1/processes/{key}/statistics): the instances of one version.
CREATE INDEX "ProcessInstance_definitionId_idx" ON "ProcessInstance"("definitionId");
