// dmn-moddle ships no type declarations. This declares the small surface the
// parser uses; the element tree itself is read through the defensive
// accessors in moddle-tree.ts.
declare module 'dmn-moddle' {
  export interface ModdleWarning {
    readonly message: string;
    readonly element?: unknown;
    readonly property?: string;
    readonly value?: unknown;
  }

  export interface ModdleParseResult {
    readonly rootElement: unknown;
    readonly elementsById: Record<string, unknown>;
    readonly warnings: readonly ModdleWarning[];
  }

  export interface DmnModdleInstance {
    fromXML(
      xml: string,
      typeName?: string,
      options?: Record<string, unknown>,
    ): Promise<ModdleParseResult>;
  }

  /** Builds a registry of the DMN 1.3 packages, `packages` replacing or adding to them. */
  export function DmnModdle(
    packages?: Record<string, unknown>,
    options?: Record<string, unknown>,
  ): DmnModdleInstance;
}
