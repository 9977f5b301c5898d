-- Execution listener jobs: the listener event a job belongs to (START, END), NULL for the own job of an element.
ALTER TABLE "Job" ADD COLUMN "listenerEventType" TEXT;
