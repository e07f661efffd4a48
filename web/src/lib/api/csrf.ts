/**
 * The CSRF token the server checks on every unsafe request (`X-CSRF-Token`). The login
 * response carries it, and the server also sets it in the readable `fy_csrf` cookie, so a
 * reloaded page finds it again; the session cookie itself stays HTTP-only.
 */
export const CSRF_COOKIE = "fy_csrf";
export const CSRF_HEADER = "X-CSRF-Token";

let remembered: string | null = null;

export function rememberCsrfToken(token: string | null): void {
  remembered = token;
}

function readCookie(name: string, cookies: string): string | null {
  for (const part of cookies.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return null;
}

export function csrfToken(): string | null {
  const cookies = typeof document === "undefined" ? "" : document.cookie;
  return readCookie(CSRF_COOKIE, cookies) ?? remembered;
}
