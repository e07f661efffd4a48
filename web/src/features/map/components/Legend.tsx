import { useId, useState } from "react";

import { STATUS_ORDER, STATUS_STYLE } from "../status";

const STORAGE_KEY = "fleetyard.map.legend";
/** Below this width the legend starts folded: the map needs the room. */
export const NARROW_SCREEN = "(max-width: 900px)";

/** Open or folded as the user last left it; else folded on a narrow screen, open on a wide one. */
export function legendOpenAtStart(): boolean {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    if (saved === "open" || saved === "folded") return saved === "open";
  } catch {
    // storage refused (private mode): fall back to the screen's width
  }
  return !(window.matchMedia?.(NARROW_SCREEN).matches ?? false);
}

function remember(open: boolean): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, open ? "open" : "folded");
  } catch {
    // not remembered: it still folds for this visit
  }
}

/**
 * What the marker colours mean, in the toolbar above the map (never over it, so it hides no
 * vehicle); folds away to its title.
 */
export function Legend() {
  const [open, setOpen] = useState(legendOpenAtStart);
  const items = useId();
  const toggle = () => {
    setOpen(!open);
    remember(!open);
  };

  return (
    <section className="map-legend" aria-labelledby={`${items}-title`}>
      <h2 className="map-legend-title">
        <button
          id={`${items}-title`}
          type="button"
          className="map-legend-toggle"
          aria-expanded={open}
          aria-controls={items}
          onClick={toggle}
        >
          Legend
        </button>
      </h2>
      <ul id={items} className="plain-list map-legend-items" hidden={!open}>
        {STATUS_ORDER.map((status) => (
          <li key={status}>
            <span className="status-dot" style={{ background: STATUS_STYLE[status].color }} aria-hidden="true" />
            <strong>{STATUS_STYLE[status].label}</strong>{" "}
            <span className="muted">{STATUS_STYLE[status].description}</span>
          </li>
        ))}
        <li>
          <span className="status-dot status-dot-cluster" aria-hidden="true" />
          <strong>Cluster</strong> <span className="muted">vehicles close together; red ring: an alert inside</span>
        </li>
      </ul>
    </section>
  );
}
