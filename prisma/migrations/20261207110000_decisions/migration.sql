-- DMN decisions: deployed decision requirements (DRGs), their decisions, and
-- decision evaluations by business rule tasks (history).

-- CreateTable
CREATE TABLE "DecisionRequirements" (
    "id" BIGINT NOT NULL,
    "deploymentId" BIGINT NOT NULL,
    "tenantId" TEXT NOT NULL DEFAULT '<default>',
    "decisionRequirementsId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT,
    "resourceName" TEXT NOT NULL,
    "xml" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "deployedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DecisionRequirements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DecisionDefinition" (
    "id" BIGINT NOT NULL,
    "deploymentId" BIGINT NOT NULL,
    "tenantId" TEXT NOT NULL DEFAULT '<default>',
    "decisionId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "versionTag" TEXT,
    "name" TEXT,
    "decisionRequirementsKey" BIGINT NOT NULL,
    "decisionRequirementsId" TEXT NOT NULL,
    "deployedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DecisionDefinition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DecisionInstance" (
    "id" BIGINT NOT NULL,
    "tenantId" TEXT NOT NULL DEFAULT '<default>',
    "processInstanceId" BIGINT,
    "elementInstanceId" BIGINT,
    "elementId" TEXT,
    "decisionKey" BIGINT NOT NULL,
    "decisionId" TEXT NOT NULL,
    "decisionVersion" INTEGER NOT NULL,
    "decisionRequirementsKey" BIGINT NOT NULL,
    "state" TEXT NOT NULL,
    "output" JSONB,
    "failureMessage" TEXT,
    "evaluatedDecisions" JSONB NOT NULL DEFAULT '[]',
    "evaluatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DecisionInstance_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DecisionRequirements_deploymentId_idx" ON "DecisionRequirements"("deploymentId");

-- CreateIndex
CREATE UNIQUE INDEX "DecisionRequirements_tenantId_decisionRequirementsId_versio_key" ON "DecisionRequirements"("tenantId", "decisionRequirementsId", "version");

-- CreateIndex
CREATE INDEX "DecisionDefinition_tenantId_decisionId_versionTag_idx" ON "DecisionDefinition"("tenantId", "decisionId", "versionTag");

-- CreateIndex
CREATE INDEX "DecisionDefinition_deploymentId_idx" ON "DecisionDefinition"("deploymentId");

-- CreateIndex
CREATE INDEX "DecisionDefinition_decisionRequirementsKey_idx" ON "DecisionDefinition"("decisionRequirementsKey");

-- CreateIndex
CREATE UNIQUE INDEX "DecisionDefinition_tenantId_decisionId_version_key" ON "DecisionDefinition"("tenantId", "decisionId", "version");

-- CreateIndex
CREATE INDEX "DecisionInstance_processInstanceId_id_idx" ON "DecisionInstance"("processInstanceId", "id");
