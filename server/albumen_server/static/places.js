/* Albumen viewer: the Places map, on links that show where photos were taken.

   Leaflet comes from the server (the xstatic-leaflet package), loaded only when the map is about
   to scroll into view, so a phone that never gets there never downloads it. Without a tile
   server configured the map draws country outlines served by this server as well, and the
   browser contacts no other host. The list of places below the map works without any of this. */
"use strict";

(function start() {
  const box = document.getElementById("map");
  if (!box) {
    return;
  }
  const places = Array.from(document.querySelectorAll("section.place[data-latitude]")).map(
    (section) => ({
      name: section.dataset.name,
      latitude: Number(section.dataset.latitude),
      longitude: Number(section.dataset.longitude),
      count: Number(section.dataset.count),
      section,
    }),
  );
  if (!places.length) {
    return;
  }
  box.hidden = false;
  const begin = () =>
    loadLeaflet()
      .then(() => draw(box, places))
      .catch(() => {
        box.hidden = true; // the list of places still says everything the map would
      });
  if ("IntersectionObserver" in window) {
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          observer.disconnect();
          begin();
        }
      },
      { rootMargin: "600px" },
    );
    observer.observe(box);
  } else {
    begin();
  }
})();

function loadLeaflet() {
  if (window.L) {
    return Promise.resolve();
  }
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = "/static/vendor/leaflet/leaflet.css";
  document.head.append(style);
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "/static/vendor/leaflet/leaflet.js";
    script.onload = resolve;
    script.onerror = reject;
    document.head.append(script);
  });
}

function draw(box, places) {
  const L = window.L;
  const tiles = box.dataset.tiles;
  const map = L.map(box, {
    attributionControl: Boolean(tiles),
    worldCopyJump: true,
    zoomSnap: 0.5,
    minZoom: 1,
    maxZoom: tiles ? 18 : 8,
  });
  if (tiles) {
    L.tileLayer(tiles, {
      attribution: box.dataset.attribution || "",
      maxZoom: 18,
      // The page's own URL carries the link token: a tile server may learn the origin at most.
      referrerPolicy: "strict-origin",
    }).addTo(map);
    map.attributionControl.setPrefix(false);
  } else {
    fetch("/static/vendor/world.json")
      .then((response) => response.json())
      .then((world) => {
        L.geoJSON(world, {
          interactive: false,
          style: { color: "#8c8c8c", weight: 0.8, fillColor: "#f4f1ea", fillOpacity: 1 },
        })
          .addTo(map)
          .bringToBack();
        box.dataset.outlines = "loaded";
      })
      .catch(() => {
        box.dataset.outlines = "failed";
      });
  }

  const roomy = box.clientWidth >= 600 && places.length <= 12;
  const bounds = [];
  for (const place of places) {
    const point = [place.latitude, place.longitude];
    bounds.push(point);
    const label = document.createElement("span");
    label.className = "place-label";
    label.textContent = `${place.name} · ${place.count}`;
    L.circleMarker(point, {
      radius: 7 + Math.min(7, Math.sqrt(place.count) * 2),
      color: "#ffffff",
      weight: 2,
      fillColor: "#0a5fc8",
      fillOpacity: 0.95,
      className: "place-marker",
    })
      // Names stay on a map wide enough for them; on a phone they would cover each other, and
      // a tap shows one (the list below the map names them all).
      .bindTooltip(label, { permanent: roomy, direction: "top", offset: [0, -8] })
      .on("click", () => {
        place.section.scrollIntoView({ behavior: "smooth", block: "start" });
      })
      .addTo(map);
  }
  if (bounds.length === 1) {
    map.setView(bounds[0], tiles ? 12 : 5);
  } else {
    map.fitBounds(bounds, { padding: [48, 48], maxZoom: tiles ? 14 : 6 });
  }
  box.dataset.markers = String(places.length);
}
