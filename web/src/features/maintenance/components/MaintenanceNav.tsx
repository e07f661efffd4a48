import { NavLink } from "react-router";

/** The maintenance screens' own links. */
export function MaintenanceNav() {
  return (
    <nav className="mt-subnav" aria-label="Maintenance">
      <NavLink to="/maintenance" end>
        Overview
      </NavLink>
      <NavLink to="/work-orders">Work orders</NavLink>
      <NavLink to="/maintenance/schedules">Schedules</NavLink>
      <NavLink to="/maintenance/parts">Parts stock</NavLink>
    </nav>
  );
}
