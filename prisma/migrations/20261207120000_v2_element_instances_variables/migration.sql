-- Element instances (Camunda's /v2/element-instances) are read from the history;
-- a lookup by element instance key needs this index.
CREATE INDEX "HistoryEvent_elementInstanceId_idx" ON "HistoryEvent"("elementInstanceId");

-- Keys of variables for Camunda's /v2/variables: handed out the first time a search
-- returns a variable (instance and name), stable afterwards.
CREATE TABLE "VariableKey" (
    "id" BIGSERIAL NOT NULL,
    "instanceId" BIGINT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "VariableKey_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "VariableKey_instanceId_name_key" ON "VariableKey"("instanceId", "name");
