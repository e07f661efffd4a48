import { STATUS_ORDER, STATUS_STYLE } from "../status";

/** What the marker colours mean. */
export function Legend() {
  return (
    <section className="map-legend" aria-labelledby="map-legend-title">
      <h2 id="map-legend-title" className="map-legend-title">
        Legend
      </h2>
      <ul className="plain-list">
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
