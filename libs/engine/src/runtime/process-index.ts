import type { CompiledProcess, FlowNode } from '../model/model.types';
import { EngineError, EngineErrorCode } from './engine-errors';

/** Lookups the executor needs often, derived once per compiled process. */
export interface ProcessIndex {
  /** The start event of an event subprocess. */
  eventSubProcessStart(eventSubProcessId: string): FlowNode;
  /** A node-id list of the model as a set, built once per list. */
  upstreamSet(ids: readonly string[]): ReadonlySet<string>;
}

const cache = new WeakMap<CompiledProcess, ProcessIndex>();

export function processIndex(process: CompiledProcess): ProcessIndex {
  let index = cache.get(process);
  if (index === undefined) {
    index = buildIndex(process);
    cache.set(process, index);
  }
  return index;
}

function buildIndex(process: CompiledProcess): ProcessIndex {
  const espStarts = new Map<string, FlowNode>();
  const sets = new WeakMap<readonly string[], ReadonlySet<string>>();
  for (const node of process.nodes.values()) {
    if (node.type === 'startEvent') {
      const container = process.nodes.get(node.scopeId);
      if (container?.triggeredByEvent) espStarts.set(container.id, node);
    }
  }
  return {
    eventSubProcessStart(id) {
      const start = espStarts.get(id);
      if (start === undefined) {
        throw new EngineError(EngineErrorCode.Bug, `event subprocess '${id}' of '${process.id}' has no start event`);
      }
      return start;
    },
    upstreamSet(ids) {
      let set = sets.get(ids);
      if (set === undefined) {
        set = new Set(ids);
        sets.set(ids, set);
      }
      return set;
    },
  };
}
