/** A data table with a caption and column headers, so screen readers announce cells in context. */
import type { ComponentChildren } from 'preact';

export interface Column<T> {
  header: string;
  cell: (row: T) => ComponentChildren;
  /** The first column names the row (`<th scope="row">`). */
  rowHeader?: boolean;
  class?: string;
}

export interface TableProps<T> {
  caption: string;
  /** Hide the caption visually; it still names the table. */
  captionHidden?: boolean;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  empty: ComponentChildren;
}

export function Table<T>({ caption, captionHidden, columns, rows, rowKey, empty }: TableProps<T>) {
  return (
    <div class="table-wrap">
      <table class="table">
        <caption class={captionHidden ? 'visually-hidden' : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col" class={c.class}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} class="table-empty">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((c) =>
                  c.rowHeader ? (
                    <th key={c.header} scope="row" class={c.class}>
                      {c.cell(row)}
                    </th>
                  ) : (
                    <td key={c.header} class={c.class}>
                      {c.cell(row)}
                    </td>
                  ),
                )}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
