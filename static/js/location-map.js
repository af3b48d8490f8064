// Location maps: Leaflet and OpenStreetMap tiles, loaded only when a map nears the screen.
// The address, phone and directions link are plain HTML and work without any of this.
(function () {
  "use strict";
  var script = document.currentScript;
  var maps = document.querySelectorAll("[data-map]");
  if (!maps.length || !script) return;

  var loading = null;
  function loadLeaflet() {
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = script.dataset.leafletCss;
      document.head.appendChild(css);
      var js = document.createElement("script");
      js.src = script.dataset.leafletJs;
      js.onload = resolve;
      js.onerror = reject;
      document.head.appendChild(js);
    });
    return loading;
  }

  function draw(el) {
    loadLeaflet().then(function () {
      var point = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
      var map = window.L.map(el, { scrollWheelZoom: false }).setView(point, parseInt(el.dataset.zoom, 10) || 16);
      var tiles = window.L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
        maxZoom: 19,
        attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
      });
      // With no tile to show, an empty box helps nobody: hide it and keep the address.
      var anyTile = false;
      tiles.on("tileload", function () { anyTile = true; });
      tiles.on("tileerror", function () {
        if (!anyTile) el.classList.add("location-map__map--offline");
      });
      tiles.addTo(map);
      window.L.marker(point, { title: el.dataset.name, alt: el.dataset.name }).addTo(map);
      el.classList.add("location-map__map--ready");
    }).catch(function () {
      el.hidden = true;
    });
  }

  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          draw(entry.target);
        }
      });
    }, { rootMargin: "200px" });
    maps.forEach(function (el) { observer.observe(el); });
  } else {
    maps.forEach(draw);
  }
})();
