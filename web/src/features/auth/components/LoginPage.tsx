import { useId, useState, type FormEvent } from "react";
import { Navigate, useLocation } from "react-router";

import { ErrorNotice } from "@/components/Status";

import { useLogin } from "../api";

/** Where to go after logging in: the page that sent us here, if it is one of ours. */
function nextPath(search: string): string {
  const next = new URLSearchParams(search).get("next");
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function LoginPage() {
  const login = useLogin();
  const location = useLocation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const ids = { email: useId(), password: useId(), error: useId() };

  if (login.isSuccess) return <Navigate to={nextPath(location.search)} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ email: email.trim(), password });
  };

  return (
    <main id="main" className="login">
      <form
        className="card login-card"
        onSubmit={submit}
        aria-labelledby="login-title"
        aria-describedby={login.isError ? ids.error : undefined}
      >
        <h1 id="login-title">Sign in to Fleetyard</h1>
        {login.isError ? (
          <div id={ids.error}>
            <ErrorNotice error={login.error} />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={ids.email}>Email</label>
          <input
            id={ids.email}
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.password}>Password</label>
          <input
            id={ids.password}
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <button type="submit" className="button button-primary" disabled={login.isPending}>
          {login.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
