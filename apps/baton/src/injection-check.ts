import type { INestApplicationContext } from '@nestjs/common';
import { ModuleRef, ModulesContainer } from '@nestjs/core';

/** Where Nest keeps what `@Inject(token)` declared, per constructor parameter (SELF_DECLARED_DEPS_METADATA). */
const DECLARED = 'self:paramtypes';
const EMITTED = 'design:paramtypes';

/**
 * `npm start` runs from source under tsx, whose esbuild emits no decorator
 * metadata (`design:paramtypes`): a class whose constructor relies on it gets
 * `undefined` for every parameter and fails on first use, far from the cause.
 * This names every provider and controller whose constructor has a parameter
 * with neither emitted metadata nor an explicit `@Inject`, so start-up fails
 * at once instead. Under tsc or SWC (nest build, Jest) the metadata is there
 * and nothing is reported.
 */
export function missingInjections(app: INestApplicationContext): string[] {
  const problems: string[] = [];
  for (const moduleRef of app.get(ModulesContainer).values()) {
    for (const wrapper of [...moduleRef.providers.values(), ...moduleRef.controllers.values()]) {
      const type: unknown = wrapper.metatype;
      // Factories list their dependencies in `inject`; values have none; Nest creates each module's ModuleRef itself.
      if (typeof type !== 'function' || wrapper.inject != null || type.length === 0 || type === ModuleRef) continue;
      if (Reflect.getMetadata(EMITTED, type) !== undefined) continue;
      const declared = (Reflect.getMetadata(DECLARED, type) ?? []) as { index: number }[];
      const missing = Array.from({ length: type.length }, (_, i) => i).filter((i) => !declared.some((d) => d.index === i));
      if (missing.length > 0) problems.push(`${type.name} (${moduleRef.metatype?.name ?? 'module'}): constructor parameter(s) ${missing.join(', ')}`);
    }
  }
  return problems;
}
