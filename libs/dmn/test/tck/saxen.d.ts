// saxen (moddle-xml's XML reader) ships no type declarations; the TCK reader uses this much of it.
declare module 'saxen' {
  export class Parser {
    constructor(options?: Record<string, unknown>);
    on(event: string, handler: (...args: never[]) => void): this;
    parse(xml: string): void;
  }
}
