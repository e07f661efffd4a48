/** Any address inside the shell that is no screen. */
export function NotFoundPage() {
  return (
    <>
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
    </>
  );
}
