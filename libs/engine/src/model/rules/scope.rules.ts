import { describe } from '../problems';
import type { NodeDraft, ProcessDraft, ScopeDraft } from '../process-draft';
import type { ProcessRule } from './process-rule';

function nodesOf(process: ProcessDraft, scope: ScopeDraft): NodeDraft[] {
  return scope.nodeIds
    .map((id) => process.nodes.get(id))
    .filter((n): n is NodeDraft => n !== undefined);
}

/**
 * Start events per scope: a process needs one to be started at all and has
 * at most one none start event; an embedded subprocess has exactly one start
 * event, a none start event (Camunda 8 refuses an empty subprocess too); an
 * event subprocess has exactly one start event, which says what triggers it.
 */
export const startEvents: ProcessRule = (ctx, process) => {
  for (const scope of process.scopes.values()) {
    const starts = scope.startEventIds
      .map((id) => process.nodes.get(id))
      .filter((n): n is NodeDraft => !!n);
    const noneStarts = starts.filter((s) => s.event?.kind === 'none');

    if (scope.type === 'process') {
      if (starts.length === 0) ctx.problems.at(scope.el, 'the process has no start event');
      for (const extra of noneStarts.slice(1)) {
        ctx.problems.at(
          extra.el,
          `a process can have only one none start event; ${describe(noneStarts[0].el)} is one already`,
        );
      }
      // Camunda 8 refuses two conditional start events of a process with the same condition.
      const conditions = new Map<string, NodeDraft>();
      for (const start of starts) {
        const source = start.event?.kind === 'conditional' ? start.event.conditional?.condition.source.trim() : undefined;
        if (source === undefined) continue;
        const first = conditions.get(source);
        if (first !== undefined) {
          ctx.problems.at(start.el, `the condition '${source}' is already the condition of the conditional start event ${describe(first.el)}`);
        } else conditions.set(source, start);
      }
      continue;
    }
    // Ad-hoc subprocesses have no start event (model/ad-hoc.ts refuses one).
    if (scope.type === 'adHocSubProcess') continue;
    if (scope.eventSubProcess) {
      if (starts.length !== 1) {
        ctx.problems.at(
          scope.el,
          starts.length === 0
            ? 'an event subprocess needs exactly one start event (message, timer, signal, error or escalation)'
            : `an event subprocess needs exactly one start event, it has ${starts.length}`,
        );
      }
      continue;
    }
    if (starts.length > 1) {
      for (const extra of starts.slice(1)) {
        ctx.problems.at(
          extra.el,
          `an embedded subprocess can have only one start event; ${describe(starts[0].el)} is one already`,
        );
      }
    }
    if (starts.length === 0) {
      const content = nodesOf(process, scope).filter((n) => !n.triggeredByEvent);
      ctx.problems.at(
        scope.el,
        content.length > 0
          ? `the subprocess has no start event, so its content (${describe(content[0].el)}${content.length > 1 ? ', ...' : ''}) can never run; an embedded subprocess needs exactly one none start event`
          : 'the subprocess has no start event; an embedded subprocess needs exactly one none start event',
      );
    }
  }
};

/** Link throw events jump to the catch event of the same name in the same scope. */
export const linkEvents: ProcessRule = (ctx, process) => {
  for (const scope of process.scopes.values()) {
    const catches = new Map<string, NodeDraft>();
    const nodes = nodesOf(process, scope);
    for (const node of nodes) {
      if (node.type !== 'intermediateCatchEvent' || node.event?.kind !== 'link') continue;
      const name = node.event.linkName ?? '';
      const first = catches.get(name);
      if (first) {
        ctx.problems.at(
          node.el,
          `link name '${name}' is already caught by ${describe(first.el)} in this scope`,
        );
      } else {
        catches.set(name, node);
      }
    }
    for (const node of nodes) {
      if (node.type !== 'intermediateThrowEvent' || node.event?.kind !== 'link') continue;
      const name = node.event.linkName ?? '';
      if (!catches.has(name)) {
        ctx.problems.at(
          node.el,
          `no link catch event named '${name}' in the same ${scope.type === 'process' ? 'process' : 'subprocess'}`,
        );
      }
    }
  }
};

/**
 * Message names a scope waits for at the same time must differ, or a message
 * could not say which subscription it is for (Camunda 8 refuses these too).
 */
export const distinctMessageNames: ProcessRule = (ctx, process) => {
  const check = (nodes: NodeDraft[], what: string, owner: NodeDraft | ScopeDraft) => {
    const seen = new Map<string, NodeDraft>();
    for (const node of nodes) {
      const name = node.event?.kind === 'message' ? node.event.name : undefined;
      if (name?.kind !== 'literal') continue;
      const first = seen.get(name.value);
      if (first) {
        ctx.problems.at(
          node.el,
          `${what} of ${describe(owner.el)} already wait for message '${name.value}' (${describe(first.el)})`,
        );
      } else {
        seen.set(name.value, node);
      }
    }
  };
  const processScope = process.scopes.get(process.id);
  if (processScope) {
    const starts = processScope.startEventIds
      .map((id) => process.nodes.get(id))
      .filter((n): n is NodeDraft => !!n);
    check(starts, 'the start events', processScope);
  }
  for (const node of process.nodes.values()) {
    if (node.boundaryEventIds.length > 1) {
      const boundaries = node.boundaryEventIds
        .map((id) => process.nodes.get(id))
        .filter((n): n is NodeDraft => !!n);
      check(boundaries, 'the boundary events', node);
    }
    if (node.type === 'eventBasedGateway') {
      const targets = node.outgoing
        .map((f) => process.nodes.get(f.targetId))
        .filter((n): n is NodeDraft => !!n);
      check(targets, 'the events after', node);
    }
  }
};
