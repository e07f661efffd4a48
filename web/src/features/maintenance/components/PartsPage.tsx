import { useQuery } from "@tanstack/react-query";

import { ErrorNotice } from "@/components/Status";
import { LoadingOrOffline } from "@/lib/offline";

import { partsQueryOptions } from "../api";
import "../maintenance.css";
import { MaintenanceNav } from "./MaintenanceNav";

const money = (amount: string, currency: string) => {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
};
const qty = (value: string) => Number(value).toLocaleString(undefined, { maximumFractionDigits: 3 });

/** The parts stock: on hand, reorder level (low stock flagged), unit cost. */
export function PartsPage() {
  const query = useQuery(partsQueryOptions());
  let body;
  if (query.isPending) body = <LoadingOrOffline query={query} label="Loading parts…" />;
  else if (query.isError) body = <ErrorNotice error={query.error} title="The parts could not load." />;
  else if (!query.data.items.length) body = <p className="muted">No parts in stock yet.</p>;
  else {
    const low = query.data.items.filter((p) => p.low_stock).length;
    body = (
      <>
        <p>{low ? `${low} ${low === 1 ? "part is" : "parts are"} at or below the reorder level.` : "Every part is above its reorder level."}</p>
        <div className="table-scroll fit-rows" role="region" aria-label="Parts stock" tabIndex={0}>
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Part number</th>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  On hand
                </th>
                <th scope="col" className="num">
                  Reorder at
                </th>
                <th scope="col" className="num">
                  Unit cost
                </th>
              </tr>
            </thead>
            <tbody>
              {query.data.items.map((p) => (
                <tr key={p.id} className={p.low_stock ? "row-warning" : undefined}>
                  <td>{p.part_number}</td>
                  <td>
                    {p.name}
                    {p.low_stock ? <span className="badge mt-due_soon"> Low stock</span> : null}
                  </td>
                  <td className="num">{qty(p.quantity_on_hand)}</td>
                  <td className="num">{qty(p.reorder_level)}</td>
                  <td className="num">{money(p.unit_cost, p.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </>
    );
  }
  return (
    <>
      <h1>Parts stock</h1>
      <MaintenanceNav />
      {body}
    </>
  );
}
