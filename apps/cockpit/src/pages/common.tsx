import type { ComponentChildren } from 'preact';
import { ApiError } from '../api';

export function ErrorLine({ error }: { error: Error | undefined }) {
  if (error === undefined) return null;
  const status = error instanceof ApiError ? ` (${error.status})` : '';
  return (
    <p class="error" role="alert">
      {error.message}
      {status}
    </p>
  );
}

export function Status({ status }: { status: string }) {
  return <span class={`status status-${status.toLowerCase()}`}>{status}</span>;
}

/** Pages of a cursor-paged list: the cursors of the pages before, so "Previous" works too. */
export function Pager({
  cursors,
  nextCursor,
  onPage,
}: {
  cursors: readonly string[];
  nextCursor: string | null | undefined;
  onPage: (cursors: string[]) => void;
}) {
  return (
    <nav class="pager" aria-label="Pages">
      <button
        type="button"
        disabled={cursors.length === 0}
        onClick={() => onPage(cursors.slice(0, -1))}
      >
        Previous
      </button>
      <span>Page {cursors.length + 1}</span>
      <button
        type="button"
        disabled={!nextCursor}
        onClick={() => nextCursor && onPage([...cursors, nextCursor])}
      >
        Next
      </button>
    </nav>
  );
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
