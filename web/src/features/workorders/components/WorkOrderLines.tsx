import { useQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";

import { formatNumber } from "@/lib/format";

import { partsQueryOptions, type WorkOrder, type WorkOrderLine } from "../api";
import { formatMoney, lineAmount, totals } from "../workorders";

/** A line as the PATCH sends it (every line is sent: the list replaces the old). */
export type LineInput =
  | { kind: "labour"; description: string; hours: string; rate: string }
  | { kind: "part"; description: string; part_id: string | null; quantity: string; unit_cost: string | null };

export function lineInput(line: WorkOrderLine): LineInput {
  if (line.kind === "labour")
    return { kind: "labour", description: line.description, hours: line.hours ?? "0", rate: line.rate ?? "0" };
  return {
    kind: "part",
    description: line.description,
    part_id: line.part_id,
    quantity: line.quantity ?? "0",
    unit_cost: line.unit_cost,
  };
}

const POSITIVE = /^\d+(\.\d{1,3})?$/;
const MONEY = /^\d+(\.\d{1,2})?$/;

function NewLineForm({ onAdd, currency }: { onAdd: (line: LineInput) => void; currency: string }) {
  const id = useId();
  const parts = useQuery(partsQueryOptions());
  const [kind, setKind] = useState<"labour" | "part">("labour");
  const [description, setDescription] = useState("");
  const [amount, setAmount] = useState(""); // hours or quantity
  const [price, setPrice] = useState(""); // rate or unit cost
  const [partId, setPartId] = useState("");
  const [problem, setProblem] = useState("");
  const part = parts.data?.items.find((p) => p.id === partId);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!POSITIVE.test(amount) || Number(amount) <= 0)
      return setProblem(kind === "labour" ? "Hours must be a number above 0." : "Quantity must be a number above 0.");
    if (price && !MONEY.test(price)) return setProblem("The price is a number with at most two decimals.");
    if (kind === "labour") {
      if (!price) return setProblem("Give the hourly rate.");
      onAdd({ kind, description, hours: amount, rate: price });
    } else {
      if (!partId && (!price || !description.trim()))
        return setProblem("A part not from stock needs a description and a unit cost.");
      onAdd({ kind, description: description || part?.name || "", part_id: partId || null, quantity: amount, unit_cost: price || null });
    }
    setProblem("");
    setDescription("");
    setAmount("");
    setPrice("");
    setPartId("");
  };

  return (
    <form className="wo-line-form" onSubmit={submit} aria-label="Add a line">
      <div className="field-inline">
        <label htmlFor={`${id}-kind`}>Line</label>
        <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as "labour" | "part")}>
          <option value="labour">Labour</option>
          <option value="part">Part</option>
        </select>
      </div>
      {kind === "part" ? (
        <div className="field-inline">
          <label htmlFor={`${id}-part`}>From stock</label>
          <select id={`${id}-part`} value={partId} onChange={(e) => setPartId(e.target.value)}>
            <option value="">Not from stock</option>
            {(parts.data?.items ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.part_number} {p.name} ({formatNumber(Number(p.quantity_on_hand))} in stock)
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div className="field-inline field-grow">
        <label htmlFor={`${id}-desc`}>Description</label>
        <input id={`${id}-desc`} value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <div className="field-inline">
        <label htmlFor={`${id}-amount`}>{kind === "labour" ? "Hours" : "Quantity"}</label>
        <input id={`${id}-amount`} inputMode="decimal" size={6} value={amount} onChange={(e) => setAmount(e.target.value)} />
      </div>
      <div className="field-inline">
        <label htmlFor={`${id}-price`}>
          {kind === "labour" ? `Rate (${currency}/h)` : `Unit cost (${currency})${partId ? ", blank: stock's" : ""}`}
        </label>
        <input id={`${id}-price`} inputMode="decimal" size={8} value={price} onChange={(e) => setPrice(e.target.value)} />
      </div>
      <button type="submit" className="button">
        Add line
      </button>
      {problem ? (
        <p className="form-error" role="alert">
          {problem}
        </p>
      ) : null}
    </form>
  );
}

/** The lines of labour and parts with their amounts and the totals; lines added and removed
 * while the work order is not closed. */
export function WorkOrderLines({
  order,
  editable,
  onLines,
}: {
  order: WorkOrder;
  editable: boolean;
  onLines: (lines: LineInput[], describe: string) => void;
}) {
  const sum = totals(order.lines);
  const current = order.lines.map(lineInput);
  return (
    <section className="card card-wide" aria-labelledby="wo-lines-title">
      <h2 id="wo-lines-title">Labour and parts</h2>
      {order.lines.length ? (
        <div className="table-scroll fit-rows" role="region" aria-label="Lines of the work order" tabIndex={0}>
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Description</th>
                <th scope="col" className="num">
                  Hours / qty
                </th>
                <th scope="col" className="num">
                  Rate / unit cost
                </th>
                <th scope="col" className="num">
                  Amount
                </th>
                {editable ? <th scope="col">Remove</th> : null}
              </tr>
            </thead>
            <tbody>
              {order.lines.map((line, index) => (
                <tr key={line.id}>
                  <td>{line.kind === "labour" ? "Labour" : line.part_id ? "Part (stock)" : "Part"}</td>
                  <td>{line.description || "—"}</td>
                  <td className="num">{line.kind === "labour" ? `${line.hours} h` : line.quantity}</td>
                  <td className="num">{formatMoney(line.kind === "labour" ? line.rate : line.unit_cost, order.currency)}</td>
                  <td className="num">{formatMoney(line.amount, order.currency)}</td>
                  {editable ? (
                    <td>
                      <button
                        type="button"
                        className="button-link"
                        onClick={() => onLines(current.filter((_, i) => i !== index), `Remove line ${index + 1}`)}
                      >
                        Remove<span className="visually-hidden"> line {index + 1}</span>
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">No lines yet.</p>
      )}
      <dl className="facts wo-totals" aria-label="Totals">
        <div>
          <dt>Labour</dt>
          <dd data-testid="wo-labour-total">{formatMoney(order.labour_total, order.currency)}</dd>
        </div>
        <div>
          <dt>Parts</dt>
          <dd data-testid="wo-parts-total">{formatMoney(order.parts_total, order.currency)}</dd>
        </div>
        <div>
          <dt>Total</dt>
          <dd data-testid="wo-total">
            <strong>{formatMoney(order.total, order.currency)}</strong>
          </dd>
        </div>
      </dl>
      {sum.total !== Number(order.total).toFixed(2) ? (
        <p className="muted small">The lines add up to {formatMoney(sum.total, order.currency)}; the server's total is shown.</p>
      ) : null}
      {editable ? (
        <NewLineForm
          currency={order.currency}
          onAdd={(line) =>
            onLines(
              [...current, line],
              line.kind === "labour"
                ? `Add labour: ${formatMoney(lineAmount(line), order.currency)}`
                : `Add a part: ${line.description || "from stock"}`,
            )
          }
        />
      ) : null}
    </section>
  );
}
