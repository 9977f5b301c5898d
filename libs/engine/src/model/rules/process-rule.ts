import type { ProcessDraft, ReadContext } from '../process-draft';

/**
 * A validation rule over a wired process draft. Rules report through
 * `ctx.problems` and never stop at the first problem: a modeler sees all of
 * them at once.
 */
export type ProcessRule = (ctx: ReadContext, process: ProcessDraft) => void;
