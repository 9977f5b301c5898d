import { isActivity, type ElementType, type HistoryLevel } from '@baton/engine';
import type { HistoryType } from '../ports/records';

export type { HistoryLevel };

/**
 * Whether a history event is written at `level` (README "Operate"):
 * `full` writes every event the engine emits; `activity` only the lifecycle
 * events (`ELEMENT_*`: activated, completed, terminated, migrated) of the
 * process, its activities and their multi-instance bodies, so no gateway,
 * event or incident event (incidents keep their own rows); `none` writes
 * nothing.
 */
export function keepsHistory(level: HistoryLevel, type: HistoryType, elementType: string): boolean {
  switch (level) {
    case 'full':
      return true;
    case 'none':
      return false;
    case 'activity':
      return (
        type.startsWith('ELEMENT_') &&
        (elementType === 'process' || elementType === 'multiInstanceBody' || isActivity(elementType as ElementType))
      );
  }
}
