// Starts ReDoc on /redoc. A file of its own: the CSP lets no inline script run.
(function () {
  "use strict";

  var root = document.getElementById("redoc");
  var specUrl = root.dataset.specUrl;
  window.Redoc.init(
    specUrl,
    {
      // The download button links to the schema the server serves, not a copy in memory.
      downloadDefinitionUrl: specUrl,
      expandResponses: "200,201",
    },
    root,
  );
})();
