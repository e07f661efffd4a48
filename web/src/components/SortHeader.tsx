interface Props {
  field: string;
  label: string;
  sort: string;
  onSort: (sort: string) => void;
}

/** A column header that sorts by its field; a second press reverses the order. */
export function SortHeader({ field, label, sort, onSort }: Props) {
  const active = sort.replace(/^-/, "") === field;
  const descending = active && sort.startsWith("-");
  const ariaSort = active ? (descending ? "descending" : "ascending") : "none";
  return (
    <th scope="col" aria-sort={ariaSort}>
      <button
        type="button"
        className="sort-button"
        onClick={() => onSort(active && !descending ? `-${field}` : field)}
      >
        {label}
        <span aria-hidden="true" className="sort-mark">
          {active ? (descending ? "▼" : "▲") : ""}
        </span>
      </button>
    </th>
  );
}
