// bpmn-moddle ships its public types only under package "exports", which the
// repository's `moduleResolution: node` does not read. This declares the small
// surface the parser uses; the element tree itself is read through the
// defensive accessors in moddle-element.ts.
declare module 'bpmn-moddle' {
  export interface ModdleWarning {
    readonly message: string;
    readonly element?: unknown;
    readonly property?: string;
    readonly value?: unknown;
    readonly error?: Error;
  }

  export interface ModdleParseResult {
    readonly rootElement: unknown;
    readonly elementsById: Record<string, unknown>;
    readonly warnings: readonly ModdleWarning[];
  }

  export interface BpmnModdleInstance {
    fromXML(
      xml: string,
      typeName?: string,
      options?: Record<string, unknown>,
    ): Promise<ModdleParseResult>;
  }

  export function BpmnModdle(
    packages?: Record<string, unknown>,
    options?: Record<string, unknown>,
  ): BpmnModdleInstance;
}
