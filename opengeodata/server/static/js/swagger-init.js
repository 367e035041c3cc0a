/* Swagger UI for the OpenAPI document (served by the project, no CDN). */
window.addEventListener("load", function () {
  "use strict";
  var element = document.getElementById("swagger-ui");
  if (!element || !window.SwaggerUIBundle) { return; }
  window.ui = SwaggerUIBundle({
    url: element.getAttribute("data-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "BaseLayout"
  });
});
