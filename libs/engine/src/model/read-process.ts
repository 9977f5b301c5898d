import { completeAdHocSubProcesses } from './ad-hoc';
import { elementTypeOf, isActivity, isGateway, unsupportedReason } from './element-kinds';
import {
  bodyOf,
  bool,
  child,
  children,
  idOf,
  isInstanceOf,
  str,
  tagOf,
  type ModdleElement,
} from './moddle-element';
import type { ElementType, ScopeType } from './model.types';
import { NODE_READERS } from './node-readers';
import type { NodeDraft, ProcessDraft, ReadContext, ScopeDraft } from './process-draft';
import { describe } from './problems';
import { checkUnsupportedExtensions, readIoMapping, readMultiInstance } from './zeebe-extensions';
import { checkListenerPlacement, readExecutionListeners, readTaskListeners } from './listeners';
import { checkProcessExtensions } from './process-extensions';

/**
 * Reads one `<process>` into a draft: walks its scopes in document order,
 * reads every flow node through its element type's reader, then wires
 * sequence flows and boundary events, reporting dangling references.
 */
export function readProcess(
  ctx: ReadContext,
  processEl: ModdleElement,
  processId: string,
): ProcessDraft {
  const draft: ProcessDraft = {
    id: processId,
    name: str(processEl, 'name'),
    el: processEl,
    nodes: new Map(),
    flows: new Map(),
    scopes: new Map(),
    foreignIds: new Set(),
  };
  checkUnsupportedExtensions(ctx, processEl);
  checkProcessExtensions(ctx, processEl);
  const processListeners = readExecutionListeners(ctx, processEl, { type: 'process' });
  if (processListeners !== undefined) draft.executionListeners = processListeners;
  const reader = new ProcessReader(ctx, draft);
  reader.walk(processEl, openScope(draft, processEl, processId, 'process', undefined, false));
  reader.wireFlows();
  reader.wireBoundaryEvents();
  checkListenerPlacement(ctx, draft);
  completeAdHocSubProcesses(ctx, draft);
  return draft;
}

/**
 * Subprocesses nested in one another deeper than this are refused at deploy:
 * far beyond any drawn model, and every reader of the model and of an
 * instance's state stays well inside the stack.
 */
export const MAX_SCOPE_DEPTH = 100;

function openScope(
  draft: ProcessDraft,
  el: ModdleElement,
  id: string,
  type: ScopeType,
  parentId: string | undefined,
  eventSubProcess: boolean,
): ScopeDraft {
  const scope: ScopeDraft = {
    id,
    type,
    el,
    parentId,
    eventSubProcess,
    nodeIds: [],
    eventSubProcessIds: [],
    startEventIds: [],
  };
  draft.scopes.set(id, scope);
  return scope;
}

class ProcessReader {
  private readonly flowEls: { el: ModdleElement; scopeId: string }[] = [];
  private readonly boundaryEvents: NodeDraft[] = [];

  constructor(
    private readonly ctx: ReadContext,
    private readonly draft: ProcessDraft,
  ) {}

  walk(container: ModdleElement, scope: ScopeDraft, depth = 0): void {
    for (const el of children(container, 'flowElements')) {
      if (el.$type === 'bpmn:SequenceFlow') {
        this.flowEls.push({ el, scopeId: scope.id });
        continue;
      }
      if (!isInstanceOf(el, 'bpmn:FlowNode')) {
        checkUnsupportedExtensions(this.ctx, el);
        // Data objects and data store references: artifacts, ignored.
        const id = idOf(el);
        if (id) this.draft.foreignIds.add(id);
        continue;
      }
      const id = idOf(el);
      const type = elementTypeOf(el.$type);
      if (!id) {
        this.ctx.problems.at(el, `a <${tagOf(el)}> has no id`);
        continue;
      }
      if (!type) {
        this.ctx.problems.at(el, unsupportedReason(tagOf(el)));
        this.draft.foreignIds.add(id);
        continue;
      }
      const node = this.readNode(el, id, type, scope);
      this.draft.nodes.set(id, node);
      scope.nodeIds.push(id);
      if (type === 'startEvent') scope.startEventIds.push(id);
      if (type === 'boundaryEvent') this.boundaryEvents.push(node);
      if (type === 'subProcess' || type === 'adHocSubProcess') {
        if (node.triggeredByEvent) scope.eventSubProcessIds.push(id);
        if (depth + 1 > MAX_SCOPE_DEPTH) {
          this.ctx.problems.at(el, `the subprocess is nested ${depth + 1} levels deep; at most ${MAX_SCOPE_DEPTH} are supported`);
          continue;
        }
        this.walk(
          el,
          openScope(this.draft, el, id, type, scope.id, node.triggeredByEvent === true),
          depth + 1,
        );
      }
    }
  }

  private readNode(el: ModdleElement, id: string, type: ElementType, scope: ScopeDraft): NodeDraft {
    const { ctx } = this;
    const node: NodeDraft = {
      el,
      id,
      type,
      scopeId: scope.id,
      incoming: [],
      outgoing: [],
      boundaryEventIds: [],
      inputs: [],
      outputs: [],
    };
    const name = str(el, 'name');
    if (name !== undefined) node.name = name;
    if (type === 'subProcess') node.triggeredByEvent = bool(el, 'triggeredByEvent') ?? false;

    checkUnsupportedExtensions(ctx, el);
    const { inputs, outputs } = readIoMapping(ctx, el);
    if (isGateway(type) && inputs.length + outputs.length > 0) {
      ctx.problems.at(el, 'variable mappings (zeebe:ioMapping) are not supported on gateways');
    }
    node.inputs = inputs;
    node.outputs = outputs;

    if (isActivity(type)) {
      // Checked with its association in rules/compensation.rules.ts.
      if (bool(el, 'isForCompensation') === true) node.isForCompensation = true;
      for (const quantity of ['startQuantity', 'completionQuantity']) {
        const value = el[quantity];
        if (value !== undefined && Number(value) !== 1) {
          ctx.problems.at(el, `${quantity} other than 1 is not supported`);
        }
      }
      const multiInstance = readMultiInstance(ctx, el);
      if (multiInstance) node.multiInstance = multiInstance;
    }
    if (isActivity(type) || isGateway(type)) {
      const defaultFlow = child(el, 'default');
      const defaultId = idOf(defaultFlow);
      if (defaultId) node.defaultFlowId = defaultId;
    }

    NODE_READERS[type]({ ...ctx, scope }, node);
    // After the reader: which listener events an event allows depends on its event definition.
    const listeners = readExecutionListeners(ctx, el, { type, eventKind: node.event?.kind });
    if (listeners !== undefined) node.executionListeners = listeners;
    if (type === 'userTask') {
      const taskListeners = readTaskListeners(ctx, el);
      if (taskListeners !== undefined) node.taskListeners = taskListeners;
    }
    return node;
  }

  wireFlows(): void {
    const { ctx, draft } = this;
    for (const { el, scopeId } of this.flowEls) {
      const id = idOf(el);
      if (!id) {
        ctx.problems.at(el, 'a <sequenceFlow> has no id');
        continue;
      }
      checkUnsupportedExtensions(ctx, el);
      const source = this.flowEnd(el, 'sourceRef', 'source');
      const target = this.flowEnd(el, 'targetRef', 'target');
      const condition = this.readCondition(el);
      if (!source || !target) continue;
      if (source.scopeId !== scopeId || target.scopeId !== scopeId) {
        ctx.problems.at(
          el,
          `the sequence flow connects ${describe(source.el)} and ${describe(target.el)}, which are not both in the same (sub)process as the flow; sequence flows cannot cross subprocess boundaries`,
        );
        continue;
      }
      const flow = {
        el,
        id,
        scopeId,
        sourceId: source.id,
        targetId: target.id,
        ...(str(el, 'name') !== undefined ? { name: str(el, 'name') } : {}),
        ...(condition ? { condition } : {}),
      };
      draft.flows.set(id, flow);
      source.outgoing.push(flow);
      target.incoming.push(id);
    }
  }

  private flowEnd(el: ModdleElement, property: string, role: string): NodeDraft | undefined {
    const { ctx, draft } = this;
    if (ctx.isUnresolved(el, property)) return undefined;
    const ref = child(el, property);
    const refId = idOf(ref);
    if (!ref || !refId) {
      ctx.problems.at(el, `the sequence flow has no ${role} (${property})`);
      return undefined;
    }
    const node = draft.nodes.get(refId);
    if (node && node.el === ref) return node;
    if (draft.foreignIds.has(refId)) return undefined;
    ctx.problems.at(
      el,
      isInstanceOf(ref, 'bpmn:FlowNode')
        ? `the ${role} of the sequence flow, ${describe(ref)}, is not in process '${draft.id}'`
        : `the ${role} of the sequence flow, ${describe(ref)}, is not a flow node`,
    );
    return undefined;
  }

  private readCondition(el: ModdleElement) {
    const expression = child(el, 'conditionExpression');
    if (!expression) return undefined;
    const language = str(expression, 'language');
    if (language !== undefined && !/feel/i.test(language)) {
      this.ctx.problems.at(
        el,
        `condition language '${language}' is not supported; conditions are FEEL`,
      );
      return undefined;
    }
    const body = bodyOf(expression);
    if (body === undefined || body.trim() === '') {
      this.ctx.problems.at(el, 'conditionExpression is empty');
      return undefined;
    }
    return this.ctx.expressions.expression(body, el, 'conditionExpression');
  }

  wireBoundaryEvents(): void {
    const { ctx, draft } = this;
    for (const boundary of this.boundaryEvents) {
      const { el } = boundary;
      if (ctx.isUnresolved(el, 'attachedToRef')) continue;
      const ref = child(el, 'attachedToRef');
      const refId = idOf(ref);
      if (!ref || !refId) {
        ctx.problems.at(el, 'the boundary event is not attached to an activity (no attachedToRef)');
        continue;
      }
      if (draft.foreignIds.has(refId)) continue;
      const host = draft.nodes.get(refId);
      if (!host || host.el !== ref) {
        ctx.problems.at(
          el,
          `attachedToRef ${describe(ref)} is not an activity of process '${draft.id}'`,
        );
        continue;
      }
      if (!isActivity(host.type)) {
        ctx.problems.at(
          el,
          `boundary events can only be attached to activities; ${describe(ref)} is not one`,
        );
        continue;
      }
      if (host.triggeredByEvent) {
        ctx.problems.at(
          el,
          `boundary events cannot be attached to an event subprocess (${describe(ref)})`,
        );
        continue;
      }
      if (host.scopeId !== boundary.scopeId) {
        ctx.problems.at(
          el,
          `the boundary event must be in the same (sub)process as its activity ${describe(ref)}`,
        );
        continue;
      }
      boundary.attachedToId = host.id;
      host.boundaryEventIds.push(boundary.id);
    }
  }
}
