/* 3D viewer of a city model: CesiumJS with the collection's 3D Tiles, the terrain of the
 * elevation dataset (heightmap tiles of this server) and the city map or orthophoto as imagery.
 * Nothing is requested from anywhere but this server: no Cesium ion (no token is used), no
 * default imagery, no geocoder. Attribute values are inserted as text nodes, never as HTML.
 * window.opengeodataViewer exposes the widget and tileset (tests, console). */
(function () {
  "use strict";
  var box = document.getElementById("viewer");
  var configElement = document.getElementById("viewer-config");
  if (!box || !configElement) { return; }
  var cfg = JSON.parse(configElement.textContent);
  var L = cfg.labels;
  var statusLine = document.getElementById("viewer-status");

  function status(text) {
    statusLine.hidden = !text;
    statusLine.textContent = text || "";
  }

  function webglAvailable() {
    try {
      var canvas = document.createElement("canvas");
      return !!(window.WebGLRenderingContext &&
        (canvas.getContext("webgl2") || canvas.getContext("webgl")));
    } catch (e) {
      return false;
    }
  }

  if (!window.Cesium || !webglAvailable()) {
    document.getElementById("viewer-nowebgl").hidden = false;
    box.setAttribute("data-state", "no-webgl");
    return;
  }
  var C = window.Cesium;
  C.Ion.defaultAccessToken = ""; /* never used: nothing here talks to Cesium ion */
  box.hidden = false;
  document.getElementById("viewer-controls").hidden = false;
  status(L.v3d_loading);

  function absolute(url) { return window.location.origin + url; }

  /* --- terrain: heightmap tiles (65 x 65 float32, ellipsoidal heights) ------------------ */
  function terrainProvider() {
    if (!cfg.terrain) { return new C.EllipsoidTerrainProvider(); }
    var size = cfg.terrain.size;
    var flat = new Float32Array(size * size);
    return new C.CustomHeightmapTerrainProvider({
      width: size, height: size, tilingScheme: new C.GeographicTilingScheme(),
      credit: cfg.terrain.attribution,
      callback: function (x, y, level) {
        var url = absolute(cfg.terrain.tiles.replace("{z}", level).replace("{x}", x)
          .replace("{y}", y));
        return fetch(url).then(function (r) {
          if (!r.ok) { throw new Error(url + ": HTTP " + r.status); }
          return r.arrayBuffer();
        }).then(function (buffer) {
          return new Float32Array(buffer);
        }).catch(function (error) {
          box.setAttribute("data-error", String(error.message || error));
          return flat;
        });
      }
    });
  }

  var widget = new C.CesiumWidget(box, {
    baseLayer: false, terrainProvider: terrainProvider(), skyBox: false,
    skyAtmosphere: false, shouldAnimate: false, requestRenderMode: true,
    maximumRenderTimeChange: Infinity, msaaSamples: 1
  });
  var scene = widget.scene;
  scene.globe.baseColor = C.Color.fromCssColorString("#dfe3e0");
  scene.globe.depthTestAgainstTerrain = true;
  scene.globe.enableLighting = false;
  scene.fog.enabled = false;
  if (scene.sun) { scene.sun.show = false; }
  if (scene.moon) { scene.moon.show = false; }
  scene.backgroundColor = C.Color.fromCssColorString("#dfe6ea");

  /* --- imagery: the city map or the orthophoto ----------------------------------------- */
  var imageryLayer = null;
  function showImagery(id) {
    var layer = cfg.imagery.filter(function (l) { return l.id === id; })[0];
    if (imageryLayer) { scene.imageryLayers.remove(imageryLayer, true); imageryLayer = null; }
    if (!layer) { return; }
    var options = {
      url: absolute(layer.tiles), tilingScheme: new C.WebMercatorTilingScheme(),
      maximumLevel: layer.maxzoom, credit: new C.Credit(layer.attribution, false)
    };
    if (layer.bounds) {
      options.rectangle = C.Rectangle.fromDegrees(layer.bounds[0], layer.bounds[1],
        layer.bounds[2], layer.bounds[3]);
    }
    imageryLayer = scene.imageryLayers.addImageryProvider(
      new C.UrlTemplateImageryProvider(options));
    box.setAttribute("data-imagery", id);
    scene.requestRender();
  }
  if (cfg.imagery.length) { showImagery(cfg.imagery[0].id); }
  Array.prototype.forEach.call(document.querySelectorAll("input[name=imagery]"), function (input) {
    input.addEventListener("change", function () { if (input.checked) { showImagery(input.value); } });
  });

  /* --- colours: by roof type or by function ---------------------------------------------- */
  function legend(property) {
    var list = document.getElementById("viewer-legend");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    cfg.colours[property].concat([{ colour: cfg.colours.other, label: L.v3d_other }])
      .forEach(function (entry) {
        var item = document.createElement("li");
        var swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.backgroundColor = entry.colour;
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(entry.label + (entry.value ? " (" + entry.value + ")" : "")));
        list.appendChild(item);
      });
  }

  function styleFor(property) {
    var conditions = cfg.colours[property].map(function (entry) {
      return ["${" + property + "} === " + JSON.stringify(entry.value),
        "color(" + JSON.stringify(entry.colour) + ")"];
    });
    conditions.push(["true", "color(" + JSON.stringify(cfg.colours.other) + ")"]);
    return new C.Cesium3DTileStyle({ color: { conditions: conditions } });
  }

  var tileset = null;
  var colourBy = "dachform";
  function colour(property) {
    colourBy = property;
    legend(property);
    box.setAttribute("data-colour", property);
    if (tileset) { tileset.style = styleFor(property); scene.requestRender(); }
  }
  colour(colourBy);
  Array.prototype.forEach.call(document.querySelectorAll("input[name=colour]"), function (input) {
    input.addEventListener("change", function () { if (input.checked) { colour(input.value); } });
  });

  /* --- click: the attributes of a building ------------------------------------------------ */
  var selected = null;
  function showAttributes(feature) {
    var table = document.getElementById("viewer-attributes");
    while (table.firstChild) { table.removeChild(table.firstChild); }
    feature.getPropertyIds().forEach(function (name) {
      var value = feature.getProperty(name);
      var row = document.createElement("tr");
      var th = document.createElement("th");
      var td = document.createElement("td");
      th.textContent = name;
      td.textContent = value === undefined || value === null ? "" : String(value);
      row.appendChild(th);
      row.appendChild(td);
      table.appendChild(row);
    });
    document.getElementById("viewer-info").hidden = false;
  }

  widget.screenSpaceEventHandler.setInputAction(function (click) {
    var picked = scene.pick(click.position);
    if (selected) { selected.feature.color = selected.colour; selected = null; }
    if (picked instanceof C.Cesium3DTileFeature) {
      selected = { feature: picked, colour: C.Color.clone(picked.color) };
      picked.color = C.Color.fromCssColorString("#1f6feb");
      showAttributes(picked);
      box.setAttribute("data-picked", String(picked.getProperty("gml_id") || ""));
    }
    scene.requestRender();
  }, C.ScreenSpaceEventType.LEFT_CLICK);

  /* --- the buildings ---------------------------------------------------------------------- */
  /* the start view: the middle of the data from 550 m, looking north-north-east; a city's
   * buildings are then large enough to see (zoom out with the wheel for the whole city) */
  function lookAtData() {
    if (!cfg.bbox) { return; }
    var lon = (cfg.bbox[0] + cfg.bbox[2]) / 2, lat = (cfg.bbox[1] + cfg.bbox[3]) / 2;
    var carto = C.Cartographic.fromDegrees(lon, lat);
    var height = scene.globe.getHeight(carto);
    if (height === undefined) { height = cfg.terrain ? cfg.terrain.floor + 43 : 0; }
    widget.camera.lookAt(C.Cartesian3.fromDegrees(lon, lat, height),
      new C.HeadingPitchRange(0.35, -0.5, 550));
    widget.camera.lookAtTransform(C.Matrix4.IDENTITY);
  }
  lookAtData();

  var api = { widget: widget, scene: scene, tileset: null, colour: colour,
    showImagery: showImagery, lookAtData: lookAtData };
  window.opengeodataViewer = api;

  C.Cesium3DTileset.fromUrl(absolute(cfg.tileset), { maximumScreenSpaceError: 8 })
    .then(function (loaded) {
      tileset = loaded;
      api.tileset = loaded;
      scene.primitives.add(loaded);
      colour(colourBy);
      /* ready: the buildings and the terrain/imagery of the view have loaded */
      scene.postRender.addEventListener(function () {
        var ready = loaded.tilesLoaded && scene.globe.tilesLoaded;
        if (ready && box.getAttribute("data-state") !== "ready") {
          box.setAttribute("data-state", "ready");
          status("");
        } else if (!ready && box.getAttribute("data-state") === "ready") {
          box.setAttribute("data-state", "loading");
        }
      });
      loaded.tileFailed.addEventListener(function (error) {
        box.setAttribute("data-error", String(error.message || error));
      });
      scene.requestRender();
    })
    .catch(function (error) {
      box.setAttribute("data-state", "error");
      box.setAttribute("data-error", String(error.message || error));
      status(L.v3d_error + " " + String(error.message || error));
    });
}());
