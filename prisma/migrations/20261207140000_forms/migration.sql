-- Camunda Forms: each deployed `.form` file is a version of its form id, which
-- user tasks link by `zeebe:formDefinition formId` and a binding type.
CREATE TABLE "FormDefinition" (
    "id" BIGINT NOT NULL,
    "deploymentId" BIGINT NOT NULL,
    "tenantId" TEXT NOT NULL DEFAULT '<default>',
    "formId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "versionTag" TEXT,
    "resourceName" TEXT NOT NULL,
    "schema" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "deployedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "FormDefinition_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "FormDefinition_tenantId_formId_version_key" ON "FormDefinition"("tenantId", "formId", "version");
CREATE INDEX "FormDefinition_deploymentId_idx" ON "FormDefinition"("deploymentId");
