/* Map preview of a dataset: MapLibre GL JS reading the dataset's PMTiles download.
 * No external tiles or fonts: the city map (stadtkarte raster tiles of this server) as base
 * layer where it is published, the city districts as context.
 * Feature attributes in the popup are inserted as text nodes, never as HTML. */
(function () {
  "use strict";
  var container = document.getElementById("map");
  var configElement = document.getElementById("map-config");
  if (!container || !configElement || !window.maplibregl) { return; }
  var cfg = JSON.parse(configElement.textContent);
  container.hidden = false; /* hidden without JS: the page then says where the data is */
  var COLOR = "#0b6e99";

  function absolute(url) { return new URL(url, window.location.href).href; }
  /* MapLibre renders attributions as HTML: the declared text goes in escaped */
  function escapeHtml(text) {
    return String(text || "").replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  function kinds(geometry) {
    var g = (geometry || "").toLowerCase();
    if (g.indexOf("polygon") >= 0 || g.indexOf("surface") >= 0) { return ["polygon"]; }
    if (g.indexOf("point") >= 0) { return ["point"]; }
    if (g.indexOf("line") >= 0 || g.indexOf("curve") >= 0) { return ["line"]; }
    return ["polygon", "line", "point"];
  }

  function dataLayers(sourceLayer) {
    var layers = [];
    kinds(cfg.geometry).forEach(function (kind) {
      var common = { source: "data", "source-layer": sourceLayer };
      if (kind === "polygon") {
        layers.push(Object.assign({ id: "data-fill", type: "fill", filter: ["==", "$type", "Polygon"],
          paint: { "fill-color": COLOR, "fill-opacity": 0.35 } }, common));
        layers.push(Object.assign({ id: "data-outline", type: "line", filter: ["==", "$type", "Polygon"],
          paint: { "line-color": COLOR, "line-width": 1.5 } }, common));
      } else if (kind === "line") {
        layers.push(Object.assign({ id: "data-line", type: "line", filter: ["==", "$type", "LineString"],
          paint: { "line-color": COLOR, "line-width": 2.5 } }, common));
      } else {
        layers.push(Object.assign({ id: "data-circle", type: "circle", filter: ["==", "$type", "Point"],
          paint: { "circle-color": COLOR,
            "circle-radius": ["interpolate", ["linear"], ["zoom"], 10, 2.5, 13, 4, 16, 6.5],
            "circle-stroke-color": "#ffffff", "circle-stroke-width": 1 } }, common));
      }
    });
    return layers;
  }

  var style = { version: 8, sources: {}, layers: [
    { id: "background", type: "background", paint: { "background-color": "#f4f2ee" } }
  ] };
  if (cfg.basemap) {
    /* only inside the city map's extent and up to its native zoom (deeper: overzoomed) */
    var base = { type: "raster", tiles: [window.location.origin + cfg.basemap.tiles],
      tileSize: 256, maxzoom: cfg.basemap.maxzoom, attribution: escapeHtml(cfg.basemap.attribution) };
    if (cfg.basemap.bounds) { base.bounds = cfg.basemap.bounds; }
    style.sources.basemap = base;
    style.layers.push({ id: "basemap", type: "raster", source: "basemap" });
  }
  var contextLine = null;
  if (cfg.context || cfg.pmtiles) {
    maplibregl.addProtocol("pmtiles", new pmtiles.Protocol().tile);
  }
  if (cfg.context) {
    style.sources.context = { type: "vector", url: "pmtiles://" + absolute(cfg.context.pmtiles) };
    style.layers.push({ id: "context-fill", type: "fill", source: "context",
      "source-layer": cfg.context.id,
      paint: { "fill-color": "#e6e2da", "fill-opacity": cfg.basemap ? 0.35 : 1 } });
    contextLine = { id: "context-line", type: "line", source: "context",
      "source-layer": cfg.context.id, paint: { "line-color": "#a39d92", "line-width": 1 } };
  }
  var clickable = [];
  if (cfg.pmtiles) {
    if (contextLine) { style.layers.push(contextLine); }
    style.sources.data = { type: "vector", url: "pmtiles://" + absolute(cfg.pmtiles) };
    dataLayers(cfg.id).forEach(function (layer) { style.layers.push(layer); clickable.push(layer.id); });
  } else if (cfg.raster) {
    style.sources.data = { type: "raster", tiles: [window.location.origin + cfg.raster] /* keeps {z}/{x}/{y} unescaped */, tileSize: 256 };
    style.layers.push({ id: "data-raster", type: "raster", source: "data" });
    if (contextLine) { style.layers.push(contextLine); } /* district borders above the image */
  }

  var options = { container: container, style: style, maxZoom: 20,
    attributionControl: cfg.basemap ? { compact: true } : false,
    dragRotate: false, pitchWithRotate: false };
  if (cfg.bbox) {
    options.bounds = [[cfg.bbox[0], cfg.bbox[1]], [cfg.bbox[2], cfg.bbox[3]]];
    options.fitBoundsOptions = { padding: 24 };
  } else {
    options.center = [9.74, 52.37];
    options.zoom = 10;
  }
  var map = new maplibregl.Map(options);
  if (cfg.pmtiles && cfg.minzoom && map.getZoom() < cfg.minzoom) {
    /* the tiles start at minzoom: show the middle of the data there instead of an empty map */
    map.jumpTo({ zoom: cfg.minzoom, center: map.getCenter() });
  }
  window.opengeodataMap = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");

  function status(text) {
    var line = container.parentNode.querySelector(".map-status");
    if (!line) {
      line = document.createElement("p");
      line.className = "map-status note";
      container.parentNode.insertBefore(line, container.nextSibling);
    }
    line.textContent = text;
  }

  map.on("error", function (event) {
    var message = event && event.error && event.error.message ? event.error.message : "error";
    container.setAttribute("data-error", message);
    status(message);
  });
  map.once("idle", function () { container.setAttribute("data-state", "idle"); });

  function popupContent(feature) {
    var box = document.createElement("div");
    box.className = "popup";
    var table = document.createElement("table");
    Object.keys(feature.properties || {}).forEach(function (key) {
      var row = document.createElement("tr");
      var th = document.createElement("th");
      var td = document.createElement("td");
      th.textContent = key;
      var value = feature.properties[key];
      td.textContent = value === null || value === undefined ? "" : String(value);
      row.appendChild(th);
      row.appendChild(td);
      table.appendChild(row);
    });
    box.appendChild(table);
    return box;
  }

  if (clickable.length) {
    map.on("click", function (event) {
      var p = event.point;
      var features = map.queryRenderedFeatures([[p.x - 4, p.y - 4], [p.x + 4, p.y + 4]],
        { layers: clickable });
      if (!features.length) { return; }
      new maplibregl.Popup({ maxWidth: "340px" }).setLngLat(event.lngLat)
        .setDOMContent(popupContent(features[0])).addTo(map);
    });
    clickable.forEach(function (id) {
      map.on("mouseenter", id, function () { map.getCanvas().style.cursor = "pointer"; });
      map.on("mouseleave", id, function () { map.getCanvas().style.cursor = ""; });
    });
  }
}());
