-- Process-level conditional start events: one start subscription per event of the latest version (POST /v2/conditionals/evaluation).
ALTER TYPE "StartEventKind" ADD VALUE 'CONDITIONAL';
