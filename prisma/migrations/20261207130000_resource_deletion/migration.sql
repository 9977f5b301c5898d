-- Resource deletion (Camunda's POST /v2/resources/{resourceKey}/deletion): a deleted
-- process or decision requirements version keeps its row, so that the instances
-- still running on it go on and the history of ended ones stays readable. Every
-- lookup by id and version, every "latest" and every search leave it out.
ALTER TABLE "Definition" ADD COLUMN "deletedAt" TIMESTAMPTZ(3);
ALTER TABLE "DecisionRequirements" ADD COLUMN "deletedAt" TIMESTAMPTZ(3);
ALTER TABLE "DecisionDefinition" ADD COLUMN "deletedAt" TIMESTAMPTZ(3);
