import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, type ReactNode } from "react";

import { formatNumber } from "@/lib/format";

import { SortHeader } from "./SortHeader";
import "./components.css";

const OVERSCAN = 12;
/** Fetch the next page when this few loaded rows are left below the viewport. */
const PREFETCH_ROWS = 60;

export interface Column<T> {
  key: string;
  /** The header's text, or a node (a "select all" box, say) with `headerLabel` for none. */
  header: ReactNode;
  /** Sorts by this API field when its header is pressed. */
  sortField?: string;
  cell: (row: T) => ReactNode;
  width?: string;
  className?: string;
}

export interface VirtualTableProps<T> {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  /** Names the scrolling region ("Drivers list"). */
  label: string;
  /** ["driver", "drivers"]: the count line's noun. */
  noun: [string, string];
  isPending: boolean;
  hasNextPage?: boolean;
  isFetchingNextPage?: boolean;
  fetchNextPage?: () => unknown;
  emptyText: string;
  sort?: string;
  onSort?: (sort: string) => void;
  rowClassName?: (row: T) => string | undefined;
  rowHeight?: number;
}

/**
 * A long list as a table, virtualised: only the rows in view are in the DOM, and the next
 * page (cursor) is fetched as the end of the loaded rows comes near.
 */
export function VirtualTable<T>(props: VirtualTableProps<T>) {
  const { rows, columns, hasNextPage, isFetchingNextPage, fetchNextPage, sort, onSort } = props;
  const rowHeight = props.rowHeight ?? 44;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: OVERSCAN,
    initialRect: { width: 1024, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= rows.length - PREFETCH_ROWS) {
      void fetchNextPage?.();
    }
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, lastIndex, rows.length]);

  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  const [one, many] = props.noun;

  return (
    <>
      <p className="muted" role="status" aria-live="polite">
        {props.isPending
          ? `Loading ${many}…`
          : `${formatNumber(rows.length)}${hasNextPage ? "+" : ""} ${rows.length === 1 ? one : many}`}
      </p>
      <div
        ref={scrollRef}
        className="table-scroll table-fit"
        tabIndex={0}
        role="region"
        aria-label={`${props.label}, scrollable`}
      >
        <table className="data-table" aria-rowcount={hasNextPage ? -1 : rows.length + 1}>
          <colgroup>
            {columns.map((column) => (
              <col key={column.key} style={column.width ? { width: column.width } : undefined} />
            ))}
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
              {columns.map((column) =>
                column.sortField && sort !== undefined && onSort && typeof column.header === "string" ? (
                  <SortHeader
                    key={column.key}
                    field={column.sortField}
                    label={column.header}
                    sort={sort}
                    onSort={onSort}
                  />
                ) : (
                  <th key={column.key} scope="col" className={column.className}>
                    {column.header}
                  </th>
                ),
              )}
            </tr>
          </thead>
          <tbody>
            {top > 0 ? <tr aria-hidden="true" style={{ height: top }} /> : null}
            {items.map((item) => {
              const row = rows[item.index];
              if (row === undefined) return null;
              return (
                <tr
                  key={props.rowKey(row)}
                  aria-rowindex={item.index + 2}
                  style={{ height: rowHeight }}
                  className={props.rowClassName?.(row)}
                >
                  {columns.map((column) => (
                    <td key={column.key} className={column.className}>
                      {column.cell(row)}
                    </td>
                  ))}
                </tr>
              );
            })}
            {bottom > 0 ? <tr aria-hidden="true" style={{ height: bottom }} /> : null}
          </tbody>
        </table>
        {!props.isPending && rows.length === 0 ? <p className="empty">{props.emptyText}</p> : null}
      </div>
      {isFetchingNextPage ? <p className="muted">Loading more…</p> : null}
    </>
  );
}
