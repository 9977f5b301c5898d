import type { ExpressionCompiler } from './expressions';
import type {
  ExecutionListeners,
  FlowNode,
  ScopeType,
  SequenceFlow,
  ValidationError,
  VariableMapping,
} from './model.types';
import type { ModdleElement } from './moddle-element';
import type { Problems } from './problems';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The mutable working form of one process while it is read and checked. It
 * keeps the moddle element of everything so rules can report against it;
 * compile turns it into the read-only {@link CompiledProcess}.
 */
export interface FlowDraft extends Mutable<SequenceFlow> {
  readonly el: ModdleElement;
  readonly scopeId: string;
}

export interface NodeDraft extends Mutable<
  Omit<
    FlowNode,
    'incoming' | 'outgoing' | 'boundaryEventIds' | 'inputs' | 'outputs' | 'scope' | 'eventTargets'
  >
> {
  readonly el: ModdleElement;
  readonly incoming: string[];
  readonly outgoing: FlowDraft[];
  readonly boundaryEventIds: string[];
  inputs: VariableMapping[];
  outputs: VariableMapping[];
}

export interface ScopeDraft {
  readonly id: string;
  readonly type: ScopeType;
  readonly el: ModdleElement;
  /** Undefined for the process. */
  readonly parentId?: string;
  readonly eventSubProcess: boolean;
  readonly nodeIds: string[];
  readonly eventSubProcessIds: string[];
  /** Every start event directly inside, whatever its kind. */
  readonly startEventIds: string[];
}

export interface ProcessDraft {
  readonly id: string;
  readonly name?: string;
  readonly el: ModdleElement;
  readonly nodes: Map<string, NodeDraft>;
  readonly flows: Map<string, FlowDraft>;
  readonly scopes: Map<string, ScopeDraft>;
  /**
   * Ids inside the process that are not executable nodes: refused elements
   * (already reported) and ignored data elements. A reference to one of them
   * is not reported again as dangling.
   */
  readonly foreignIds: Set<string>;
  /** The process's own execution listeners. */
  executionListeners?: ExecutionListeners;
}

/** What every reader and rule works with. */
export interface ReadContext {
  readonly problems: Problems;
  readonly expressions: ExpressionCompiler;
  /** Non-fatal notes (constructs that run with reduced meaning). */
  readonly warnings: ValidationError[];
  /** True when moddle already reported `property` of `el` as an unresolved reference. */
  isUnresolved(el: ModdleElement, property: string): boolean;
}
