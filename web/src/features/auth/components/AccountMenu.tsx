import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "react-router";

import { meQueryOptions, useLogout } from "../api";

/** The signed-in person and a way out. */
export function AccountMenu() {
  const { data: me } = useQuery(meQueryOptions());
  const logout = useLogout();
  const navigate = useNavigate();
  if (!me) return null;
  return (
    <div className="account">
      <span className="account-name">{me.display_name || me.email}</span>
      <button
        type="button"
        className="button button-quiet"
        onClick={() => logout.mutate(undefined, { onSettled: () => navigate("/login") })}
      >
        Sign out
      </button>
    </div>
  );
}
