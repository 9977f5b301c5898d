-- Variables local to subprocesses and tasks get keys too (Camunda's /v2/variables):
-- a key names an instance, a scope (the process instance key for process-scope
-- variables, an element instance key for local ones) and a name.
ALTER TABLE "VariableKey" ADD COLUMN "scopeId" BIGINT;
UPDATE "VariableKey" SET "scopeId" = "instanceId";
ALTER TABLE "VariableKey" ALTER COLUMN "scopeId" SET NOT NULL;
DROP INDEX "VariableKey_instanceId_name_key";
CREATE UNIQUE INDEX "VariableKey_instanceId_scopeId_name_key" ON "VariableKey"("instanceId", "scopeId", "name");
