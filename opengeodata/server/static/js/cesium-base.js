/* Where CesiumJS loads its workers, WebAssembly and assets from: this server (set before
 * Cesium.js runs; an inline script would need 'unsafe-inline' in the CSP). */
window.CESIUM_BASE_URL = document.currentScript.getAttribute("data-base");
