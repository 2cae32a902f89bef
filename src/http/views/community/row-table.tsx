import { PostForm } from './forms.tsx';

/**
 * A table of rows with a heading per column, or a sentence when there are none: the moderators'
 * queues (claims, verified authors, organisations, reports), the audit log and the settings' token
 * list are all this shape.
 * `cells` gives one cell per column, in the order of `columns`.
 */
export function RowTable<T>({ columns, rows, cells, empty }: { columns: string[]; rows: readonly T[]; cells: (row: T) => unknown[]; empty: string }) {
  if (!rows.length) return <p>{empty}</p>;
  return (
    <table>
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col">{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            {cells(r).map((cell) => (
              <td>{cell as never}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * A moderator's decision on one row: a form of buttons, one per outcome (the first the default
 * action, the others quiet), each naming what it decides on for screen readers; `children` go
 * before the buttons (a note field).
 */
export function DecisionForm({ action, csrfToken, about, choices, children }: { action: string; csrfToken: string; about: string; choices: Array<{ value: string; label: string }>; children?: unknown }) {
  return (
    <PostForm action={action} csrfToken={csrfToken} class="inline">
      {children as never}
      {children ? ' ' : null}
      {choices.map((c, i) => (
        <>
          {i > 0 && ' '}
          <button type="submit" name="decision" value={c.value} class={i > 0 ? 'quiet' : undefined}>
            {c.label}
            <span class="vh"> {about}</span>
          </button>
        </>
      ))}
    </PostForm>
  );
}
