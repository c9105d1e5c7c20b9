/* Albumen viewer: the lightbox's photo at its own pixels (zoom.js), to look at a face in a group
   or the grain of a print. Z, the bar's Zoom or a click on the photo: the picture one pixel on
   one screen pixel, the clicked point kept under the pointer (on a link of originals the large
   picture, where the photo has more pixels than its preview); a drag moves it; Z, Esc or a click
   again fits it back, and another photo comes fitted. Phones have their own pinch to zoom.
   Works beside viewer.js through the lightbox's elements and its "albumen:photo" event. */
"use strict";

(function zoom() {
  const dialog = document.getElementById("lightbox");
  const button = dialog && dialog.querySelector(".lb-zoom");
  if (!button || typeof dialog.showModal !== "function") {
    return;
  }
  const stage = dialog.querySelector(".lb-stage");
  const image = dialog.querySelector(".lb-image");
  const previewEdge = Number(dialog.dataset.previewEdge) || 2048;
  const largeEdge = Number(dialog.dataset.zoomEdge) || 3840; // the large picture's, from the server
  let photo = null; // viewer.js's {id, large, width, height} of the photo shown
  let zoomed = null; // {left, top, width, height} of the picture on the stage, in CSS pixels
  let drag = null;
  let dragged = false;

  // The size of the picture zooming shows, in device pixels: the large one's where there is
  // one, else the preview's (neither larger than the photo).
  function pictureSize() {
    if (!photo || !photo.width || !photo.height) {
      return null;
    }
    const edge = photo.large ? largeEdge : previewEdge;
    const scale = Math.min(1, edge / Math.max(photo.width, photo.height));
    return { width: Math.round(photo.width * scale), height: Math.round(photo.height * scale) };
  }

  function place(left, top) {
    const wide = stage.clientWidth;
    const high = stage.clientHeight;
    // Larger than the stage: no empty edge shows; smaller: centred.
    const clamp = (value, size, room) =>
      size > room ? Math.min(0, Math.max(room - size, value)) : (room - size) / 2;
    zoomed.left = clamp(left, zoomed.width, wide);
    zoomed.top = clamp(top, zoomed.height, high);
    image.style.left = `${zoomed.left}px`;
    image.style.top = `${zoomed.top}px`;
  }

  // Where the picture is drawn when fitted: the element's box, less the bands `object-fit:
  // contain` leaves beside a photo of other proportions.
  function fittedRect() {
    const box = image.getBoundingClientRect();
    const ratio = photo.width / photo.height;
    const width = Math.min(box.width, box.height * ratio);
    const height = width / ratio;
    return {
      left: box.left + (box.width - width) / 2,
      top: box.top + (box.height - height) / 2,
      width,
      height,
    };
  }

  function zoomIn(atX, atY) {
    const size = pictureSize();
    if (!size) {
      return;
    }
    const shown = fittedRect();
    if (!shown.width) {
      return;
    }
    const ratio = window.devicePixelRatio || 1;
    const width = size.width / ratio;
    const height = size.height / ratio;
    if (width <= shown.width * 1.05) {
      return; // nothing more to see than the screen shows already
    }
    const box = stage.getBoundingClientRect();
    const x = atX === undefined ? shown.left + shown.width / 2 : atX;
    const y = atY === undefined ? shown.top + shown.height / 2 : atY;
    const fx = Math.min(1, Math.max(0, (x - shown.left) / shown.width));
    const fy = Math.min(1, Math.max(0, (y - shown.top) / shown.height));
    zoomed = { width, height, left: 0, top: 0 };
    if (photo.large && image.getAttribute("src") !== photo.large) {
      image.src = photo.large; // the one shown stays until it has loaded
    }
    image.classList.add("zoomed");
    image.style.width = `${width}px`;
    image.style.height = `${height}px`;
    place(x - box.left - fx * width, y - box.top - fy * height);
    button.setAttribute("aria-pressed", "true");
  }

  function zoomOut() {
    if (!zoomed) {
      return;
    }
    zoomed = null;
    image.classList.remove("zoomed");
    for (const property of ["width", "height", "left", "top"]) {
      image.style.removeProperty(property);
    }
    button.setAttribute("aria-pressed", "false");
  }

  function toggle(atX, atY) {
    if (zoomed) {
      zoomOut();
    } else {
      zoomIn(atX, atY);
    }
  }

  dialog.addEventListener("albumen:photo", (event) => {
    zoomOut();
    photo = event.detail;
    button.hidden = false;
  });
  // A photo the server has no picture of (viewer.js says so on the stage) has none to zoom.
  image.addEventListener("error", () => {
    if (image.getAttribute("src")) {
      zoomOut();
      button.hidden = true;
    }
  });
  if (dialog.open && dialog.shownPhoto) {
    photo = dialog.shownPhoto; // opened by the URL before this script ran
  }
  dialog.addEventListener("close", zoomOut);
  button.hidden = false;
  button.addEventListener("click", () => toggle());

  // Taken before viewer.js hears them: at its own pixels a drag moves the photo (no swipe to
  // the next one), and Esc fits it back before it closes the lightbox.
  stage.addEventListener(
    "pointerdown",
    (event) => {
      if (event.button !== 0 || event.target !== image) {
        return;
      }
      drag = { x: event.clientX, y: event.clientY, left: zoomed && zoomed.left, top: zoomed && zoomed.top };
      dragged = false;
      if (zoomed) {
        event.stopImmediatePropagation();
        stage.setPointerCapture(event.pointerId);
      }
    },
    { capture: true },
  );
  stage.addEventListener(
    "pointermove",
    (event) => {
      if (!drag || !zoomed) {
        return;
      }
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      dragged = dragged || Math.abs(dx) + Math.abs(dy) > 4;
      if (dragged) {
        image.classList.add("dragging");
        place(drag.left + dx, drag.top + dy);
      }
    },
    { capture: true },
  );
  stage.addEventListener(
    "pointerup",
    (event) => {
      const start = drag;
      drag = null;
      image.classList.remove("dragging");
      if (!start) {
        return;
      }
      const moved = Math.abs(event.clientX - start.x) + Math.abs(event.clientY - start.y);
      if (zoomed) {
        event.stopImmediatePropagation();
      }
      if (!dragged && moved <= 4 && event.pointerType === "mouse") {
        toggle(event.clientX, event.clientY); // a click, not a drag nor a swipe
      }
    },
    { capture: true },
  );
  dialog.addEventListener(
    "keydown",
    (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey || event.target.closest("input, textarea")) {
        return; // typed text (a note on the photo), not a key of the lightbox
      }
      if (event.key === "z" || event.key === "Z") {
        event.preventDefault();
        toggle();
      } else if (event.key === "Escape" && zoomed) {
        event.preventDefault();
        event.stopImmediatePropagation();
        zoomOut();
      }
    },
    { capture: true },
  );
  window.addEventListener("resize", () => zoomed && place(zoomed.left, zoomed.top));
})();
