-- AlterEnum: a user task's assignment, update or completion waiting for its task listeners (Camunda 8.8's states).
ALTER TYPE "UserTaskState" ADD VALUE 'ASSIGNING';
ALTER TYPE "UserTaskState" ADD VALUE 'UPDATING';
ALTER TYPE "UserTaskState" ADD VALUE 'COMPLETING';
