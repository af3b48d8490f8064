// Location maps: Leaflet and map tiles, loaded only when the patient presses "Show map"
// (or at once when the site is set to MAP_LOAD_AT_ONCE). The address, phone, opening hours
// and directions link are plain HTML and work without any of this. Everything the script
// needs comes from data attributes on its own element: no inline script, no guessed URLs
// (static files carry hashed names in production).
(function () {
  "use strict";
  var script = document.currentScript;
  var maps = document.querySelectorAll("[data-map]");
  if (!maps.length || !script) return;
  var options = script.dataset;

  var loading = null;
  function loadLeaflet() {
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = options.leafletCss;
      document.head.appendChild(css);
      var js = document.createElement("script");
      js.src = options.leafletJs;
      js.onload = resolve;
      js.onerror = reject;
      document.head.appendChild(js);
    });
    return loading;
  }

  function markerIcon(L) {
    return L.icon({
      iconUrl: options.markerIcon,
      iconRetinaUrl: options.markerIcon2x,
      shadowUrl: options.markerShadow,
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      popupAnchor: [1, -34],
      tooltipAnchor: [16, -28],
      shadowSize: [41, 41],
    });
  }

  function draw(el, status) {
    el.hidden = false;
    return loadLeaflet().then(function () {
      var L = window.L;
      var point = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
      var map = L.map(el, { scrollWheelZoom: false }).setView(point, parseInt(el.dataset.zoom, 10) || 16);
      var tiles = L.tileLayer(options.tileUrl, { maxZoom: 19, attribution: options.tileAttribution });
      // With no tile to show, an empty box helps nobody: hide it and keep the address.
      var anyTile = false;
      tiles.on("tileload", function () {
        if (!anyTile && status) status.textContent = "The map is shown below.";
        anyTile = true;
      });
      tiles.on("tileerror", function () {
        if (anyTile) return;
        el.classList.add("location-map__map--offline");
        el.hidden = true;
        if (status) status.textContent = "The map could not be loaded. The address and directions link still work.";
      });
      tiles.addTo(map);
      L.marker(point, { icon: markerIcon(L), title: el.dataset.name, alt: el.dataset.name }).addTo(map);
      el.classList.add("location-map__map--ready");
    }).catch(function () {
      el.hidden = true;
      if (status) status.textContent = "The map could not be loaded. The address and directions link still work.";
    });
  }

  maps.forEach(function (el) {
    var controls = el.parentNode.querySelector("[data-map-controls]");
    if (options.loadAtOnce === "true" || !controls) {
      draw(el, null);
      return;
    }
    var button = controls.querySelector("[data-map-show]");
    var status = controls.querySelector("[data-map-status]");
    controls.hidden = false;
    button.addEventListener("click", function () {
      button.hidden = true;
      draw(el, status).then(function () {
        if (!el.hidden) el.focus();
      });
    });
  });
})();
