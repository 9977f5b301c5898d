-- API keys (docs/security.md): the SHA-256 of each key, never the key itself.

CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "permissions" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "tenants" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "ApiKey_name_key" ON "ApiKey"("name");

-- The audit log: who did what through a state-changing route (docs/security.md), kept
-- AUDIT_RETENTION_DAYS.
CREATE TABLE "AuditEntry" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "principal" TEXT NOT NULL,
    "via" TEXT NOT NULL,
    "tenants" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "method" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "targetId" TEXT,
    "status" INTEGER NOT NULL,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "AuditEntry_at_idx" ON "AuditEntry"("at");
CREATE INDEX "AuditEntry_principal_id_idx" ON "AuditEntry"("principal", "id");
