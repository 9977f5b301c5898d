import { isActivity } from '../element-kinds';
import { child, children, idOf, type ModdleElement } from '../moddle-element';
import type { ElementType } from '../model.types';
import type { NodeDraft, ProcessDraft } from '../process-draft';
import { describe } from '../problems';
import type { ProcessRule } from './process-rule';

/** What Camunda 8 lets be a compensation handler (CompensationTaskValidator, plus subprocesses and call activities). */
const HANDLER_TYPES: ReadonlySet<ElementType> = new Set<ElementType>([
  'task',
  'serviceTask',
  'sendTask',
  'receiveTask',
  'userTask',
  'manualTask',
  'scriptTask',
  'businessRuleTask',
  'subProcess',
  'callActivity',
]);

/**
 * Compensation, checked as Zeebe's BoundaryEventValidator,
 * CompensationTaskValidator and CompensationEventDefinitionValidator do, and
 * wired: each compensation boundary event learns its handler from the
 * association drawn from it.
 *
 * - a compensation boundary event has no outgoing sequence flow and exactly
 *   one association, to an activity marked `isForCompensation`;
 * - a handler has no sequence flows and no boundary events;
 * - a throw's `activityRef` names an activity of its own scope (or, from an
 *   event subprocess, of the scope around it) that has a compensation
 *   boundary event or is an embedded subprocess.
 */
export const compensation: ProcessRule = (ctx, process) => {
  const associations = associationsBySource(process);
  const associated = new Set<string>();

  for (const node of process.nodes.values()) {
    if (node.type !== 'boundaryEvent' || node.event?.kind !== 'compensation') continue;
    if (node.outgoing.length > 0) {
      ctx.problems.at(
        node.el,
        'a compensation boundary event cannot have outgoing sequence flows; connect its compensation handler with an association',
      );
    }
    if (node.executionListeners !== undefined) {
      ctx.problems.at(node.el, 'execution listeners are not supported on compensation boundary events (as in Camunda 8)');
    }
    const host = node.attachedToId === undefined ? undefined : process.nodes.get(node.attachedToId);
    const first = host?.boundaryEventIds
      .map((id) => process.nodes.get(id))
      .find((b) => b?.event?.kind === 'compensation');
    if (host !== undefined && first !== undefined && first !== node) {
      ctx.problems.at(
        node.el,
        `${describe(host.el)} already has a compensation boundary event (${describe(first.el)}); an activity has at most one`,
      );
    }
    const targets = associations.get(node.id) ?? [];
    if (targets.length !== 1) {
      ctx.problems.at(
        node.el,
        targets.length === 0
          ? 'the compensation boundary event has no association to a compensation handler (an activity with isForCompensation="true")'
          : `the compensation boundary event has ${targets.length} associations; connect exactly one compensation handler`,
      );
      continue;
    }
    const target = targets[0];
    const targetId = idOf(target);
    if (targetId !== undefined && process.foreignIds.has(targetId)) continue;
    const handler = targetId === undefined ? undefined : process.nodes.get(targetId);
    if (handler === undefined || handler.el !== target || !isActivity(handler.type)) {
      ctx.problems.at(
        node.el,
        `the association of the compensation boundary event leads to ${describe(target)}, which is not an activity of process '${process.id}'`,
      );
      continue;
    }
    if (handler.isForCompensation !== true) {
      ctx.problems.at(
        node.el,
        `the compensation handler ${describe(handler.el)} must be marked for compensation (isForCompensation="true")`,
      );
      continue;
    }
    node.compensationHandlerId = handler.id;
    associated.add(handler.id);
  }

  for (const node of process.nodes.values()) {
    if (node.isForCompensation === true) checkHandler(ctx, process, node, associated.has(node.id));
    if (
      (node.type === 'intermediateThrowEvent' || node.type === 'endEvent') &&
      node.event?.kind === 'compensation' &&
      node.event.activityRef !== undefined
    ) {
      checkActivityRef(ctx, process, node, node.event.activityRef);
    }
  }
};

function checkHandler(
  ctx: Parameters<ProcessRule>[0],
  process: ProcessDraft,
  node: NodeDraft,
  associated: boolean,
): void {
  if (!HANDLER_TYPES.has(node.type) || node.triggeredByEvent === true) {
    ctx.problems.at(
      node.el,
      'a compensation handler must be a task (service, user, send, receive, business rule, script, manual or undefined), an embedded subprocess or a call activity',
    );
  }
  if (process.scopes.get(node.scopeId)?.type === 'adHocSubProcess') {
    ctx.problems.at(node.el, 'compensation handlers inside an ad-hoc subprocess are not supported');
  }
  if (node.incoming.length > 0) ctx.problems.at(node.el, 'a compensation handler cannot have incoming sequence flows');
  if (node.outgoing.length > 0) ctx.problems.at(node.el, 'a compensation handler cannot have outgoing sequence flows');
  if (node.boundaryEventIds.length > 0) ctx.problems.at(node.el, 'a compensation handler cannot have boundary events');
  if (!associated) {
    ctx.warnings.push({
      elementId: node.id,
      elementType: node.type,
      message: 'no compensation boundary event is associated with this compensation handler, so it never runs',
    });
  }
}

function checkActivityRef(
  ctx: Parameters<ProcessRule>[0],
  process: ProcessDraft,
  node: NodeDraft,
  activityRef: string,
): void {
  const target = process.nodes.get(activityRef);
  if (target === undefined || !isActivity(target.type)) {
    if (!process.foreignIds.has(activityRef)) {
      ctx.problems.at(node.el, `the referenced compensation activity '${activityRef}' is not an activity of process '${process.id}'`);
    }
    return;
  }
  const hasBoundary = target.boundaryEventIds.some((id) => process.nodes.get(id)?.event?.kind === 'compensation');
  const isSubProcess = target.type === 'subProcess' && target.triggeredByEvent !== true;
  if (!hasBoundary && !isSubProcess) {
    ctx.problems.at(
      node.el,
      `the referenced compensation activity ${describe(target.el)} must have a compensation boundary event or be an embedded subprocess`,
    );
  }
  const scope = process.scopes.get(node.scopeId);
  const sameScope =
    target.scopeId === node.scopeId || (scope?.eventSubProcess === true && target.scopeId === scope.parentId);
  if (!sameScope) {
    ctx.problems.at(
      node.el,
      `the referenced compensation activity ${describe(target.el)} must be in the same scope as the compensation throw event`,
    );
  }
}

/** `<association>` artifacts of the process and its subprocesses: source id -> target elements. */
function associationsBySource(process: ProcessDraft): Map<string, ModdleElement[]> {
  const result = new Map<string, ModdleElement[]>();
  for (const scope of process.scopes.values()) {
    for (const artifact of children(scope.el, 'artifacts')) {
      if (artifact.$type !== 'bpmn:Association') continue;
      const sourceId = idOf(child(artifact, 'sourceRef'));
      const target = child(artifact, 'targetRef');
      if (sourceId === undefined || target === undefined) continue;
      const list = result.get(sourceId) ?? [];
      list.push(target);
      result.set(sourceId, list);
    }
  }
  return result;
}
