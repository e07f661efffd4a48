import { isRouteErrorResponse, useRouteError } from "react-router";

/** A screen that failed to load or render (often: a new version was deployed; reload). */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : "Unknown error";
  return (
    <main id="main" className="app-main">
      <h1>Something went wrong</h1>
      <p role="alert">{message}</p>
      <button type="button" className="button" onClick={() => window.location.reload()}>
        Reload
      </button>
    </main>
  );
}
