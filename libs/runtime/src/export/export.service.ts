import type { Key } from '../keys/key-generator';
import type { Page } from '../ports/records';
import { RuntimeError } from '../runtime-error';
import type { ExportDeadLetter, ExportRepository } from './export.records';

/** The dead letters of event export, for operators (`/api/v1/export/dead-letters`). */
export class ExportService {
  constructor(private readonly repository: ExportRepository) {}

  /** Oldest first; `cursor` is the last id of the previous page. */
  async deadLetters(limit: number, cursor: Key | null): Promise<Page<ExportDeadLetter>> {
    const rows = await this.repository.deadLetters(limit + 1, cursor);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  /** Puts the record back in its sink's outbox; the dispatcher delivers it on its next pass. */
  async retry(id: Key): Promise<void> {
    if (!/^\d{1,19}$/.test(id)) throw RuntimeError.badRequest('id', `dead letter id '${id}' is not a key`);
    if (!(await this.repository.retryDeadLetter(id))) throw RuntimeError.notFound(`export dead letter '${id}'`);
  }
}
