/* Map of the features on a pygeoapi items/item page: the page's own GeoJSON drawn with MapLibre
 * on a plain background (no external tiles). Popups are built from text nodes only. */
(function () {
  "use strict";
  var container = document.getElementById("items-map");
  if (!container || !window.maplibregl) { return; }
  var COLOR = "#0b6e99";
  var url = new URL(window.location.href);
  url.searchParams.set("f", "json");
  var itemsPath = container.getAttribute("data-items-path");

  function extend(box, c) {
    if (typeof c[0] === "number") {
      box[0] = Math.min(box[0], c[0]); box[1] = Math.min(box[1], c[1]);
      box[2] = Math.max(box[2], c[0]); box[3] = Math.max(box[3], c[1]);
    } else { c.forEach(function (x) { extend(box, x); }); }
  }

  fetch(url.href, { headers: { Accept: "application/geo+json, application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var collection = data.type === "Feature" ? { type: "FeatureCollection", features: [data] } : data;
      var box = [180, 90, -180, -90];
      (collection.features || []).forEach(function (f) {
        if (f.geometry) { extend(box, f.geometry.coordinates); }
        f.properties = Object.assign({}, f.properties);
        if (f.id !== undefined && f.id !== null) { f.properties["@id"] = String(f.id); }
      });
      var map = new maplibregl.Map({
        container: container, attributionControl: false, dragRotate: false,
        style: { version: 8, sources: { items: { type: "geojson", data: collection } }, layers: [
          { id: "background", type: "background", paint: { "background-color": "#f4f2ee" } },
          { id: "fill", type: "fill", source: "items", filter: ["==", "$type", "Polygon"],
            paint: { "fill-color": COLOR, "fill-opacity": 0.3 } },
          { id: "line", type: "line", source: "items", filter: ["!=", "$type", "Point"],
            paint: { "line-color": COLOR, "line-width": 1.5 } },
          { id: "circle", type: "circle", source: "items", filter: ["==", "$type", "Point"],
            paint: { "circle-color": COLOR, "circle-radius": 6, "circle-stroke-color": "#fff",
              "circle-stroke-width": 1.5 } }
        ] },
        bounds: box[0] <= box[2] ? [[box[0], box[1]], [box[2], box[3]]] : [[9.6, 52.3], [9.95, 52.45]],
        fitBoundsOptions: { padding: 30, maxZoom: 17 }
      });
      map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
      map.once("idle", function () { container.setAttribute("data-state", "idle"); });
      map.on("click", function (event) {
        var p = event.point;
        var hits = map.queryRenderedFeatures([[p.x - 4, p.y - 4], [p.x + 4, p.y + 4]],
          { layers: ["fill", "line", "circle"] });
        if (!hits.length) { return; }
        var feature = hits[0];
        var box2 = document.createElement("div");
        box2.className = "popup";
        var fid = (feature.properties || {})["@id"];
        if (itemsPath && fid !== undefined) {
          var a = document.createElement("a");
          a.href = itemsPath + "/" + encodeURIComponent(fid) + "?f=html";
          a.textContent = fid;
          box2.appendChild(a);
        }
        var table = document.createElement("table");
        Object.keys(feature.properties || {}).forEach(function (key) {
          if (key === "@id") { return; }
          var row = table.insertRow();
          var th = document.createElement("th");
          th.textContent = key;
          row.appendChild(th);
          row.insertCell().textContent = String(feature.properties[key]);
        });
        box2.appendChild(table);
        new maplibregl.Popup().setLngLat(event.lngLat).setDOMContent(box2).addTo(map);
      });
    })
    .catch(function (error) { container.textContent = String(error); });
}());
