// Starts Swagger UI on /docs. A file of its own: the CSP lets no inline script run.
// "Try it out" calls go to this origin with the browser's session cookie; a change also
// sends the CSRF token from the readable fy_csrf cookie, as the web app does
// (web/src/lib/api/csrf.ts), so a signed-in person can call every route.
(function () {
  "use strict";

  var CSRF_COOKIE = "fy_csrf";
  var CSRF_HEADER = "X-CSRF-Token";
  var SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];

  function readCookie(name) {
    var parts = document.cookie.split(";");
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].trim();
      var equals = part.indexOf("=");
      if (equals > 0 && part.slice(0, equals) === name) {
        return decodeURIComponent(part.slice(equals + 1));
      }
    }
    return null;
  }

  function isSameOrigin(url) {
    try {
      return new URL(url, window.location.href).origin === window.location.origin;
    } catch (error) {
      return false;
    }
  }

  function withCsrfToken(request) {
    var method = (request.method || "GET").toUpperCase();
    if (SAFE_METHODS.indexOf(method) === -1 && isSameOrigin(request.url)) {
      var token = readCookie(CSRF_COOKIE);
      if (token) request.headers[CSRF_HEADER] = token;
    }
    return request;
  }

  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    // The default badge asks validator.swagger.io about our schema: nothing leaves the origin.
    validatorUrl: null,
    requestInterceptor: withCsrfToken,
  });
})();
