/* Albumen viewer: the gallery's rows, each photo sized to its proportions and every row close
   to one height (justify.js). No inline script: the Content-Security-Policy allows none. */
"use strict";

/* The grid without this file is already justified by CSS alone (ratios.css), but greedily: a
   photo that does not fit a row moves down and the one left behind grows to fill its row, which
   on a phone can make a square photo a whole screen tall. Here rows are chosen together, so
   every row stays close to the target height; recomputed whenever the grid's width changes. */
function justifyGrids() {
  const grids = Array.from(document.querySelectorAll("ul.grid"));
  if (!grids.length || !("ResizeObserver" in window)) {
    return;
  }
  const widths = new Map();
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const width = entry.target.clientWidth;
      if (widths.get(entry.target) !== width) {
        widths.set(entry.target, width);
        justify(entry.target, width);
      }
    }
  });
  for (const grid of grids) {
    observer.observe(grid);
  }
  // Photos shown or hidden (picks.js's filter): the same width, other rows; and a section's
  // heading goes with its photos, hidden when none of them shows.
  document.addEventListener("albumen:layout", () => {
    for (const grid of grids) {
      showHeading(grid);
      justify(grid, grid.clientWidth);
    }
  });
}

function showHeading(grid) {
  const heading = grid.previousElementSibling;
  if (heading && heading.classList.contains("section-title")) {
    heading.hidden = !Array.from(grid.children).some((item) => !item.hidden);
  }
}

function justify(grid, width) {
  const items = Array.from(grid.children).filter((item) => !item.hidden);
  if (!items.length || width <= 0) {
    return;
  }
  const style = window.getComputedStyle(grid);
  const gap = parseFloat(style.columnGap) || 0;
  const target = parseFloat(style.getPropertyValue("--row")) || 200;
  const ratios = items.map((item) => {
    const image = item.querySelector("img");
    const w = Number(image && image.getAttribute("width"));
    const h = Number(image && image.getAttribute("height"));
    return w > 0 && h > 0 ? Math.min(5, Math.max(0.2, w / h)) : 1.5;
  });
  // best[i]: the least total (relative) deviation from the target height for items 0..i-1.
  const n = ratios.length;
  const best = new Array(n + 1).fill(Infinity);
  const start = new Array(n + 1).fill(0);
  best[0] = 0;
  for (let end = 1; end <= n; end += 1) {
    let sum = 0;
    for (let first = end - 1; first >= 0; first -= 1) {
      sum += ratios[first];
      const count = end - first;
      const height = (width - gap * (count - 1)) / sum;
      if (count > 1 && height < target * 0.5) {
        break; // more photos in this row only make it lower still
      }
      const lastRow = end === n;
      const miss = lastRow && height > target ? 0 : (height - target) / target;
      const total = best[first] + miss * miss;
      if (total < best[end]) {
        best[end] = total;
        start[end] = first;
      }
    }
  }
  for (let end = n; end > 0; end = start[end]) {
    const first = start[end];
    let sum = 0;
    for (let i = first; i < end; i += 1) {
      sum += ratios[i];
    }
    let height = (width - gap * (end - first - 1)) / sum;
    if (end === n && height > target) {
      height = target;
    }
    for (let i = first; i < end; i += 1) {
      const item = items[i];
      item.style.flex = "0 0 auto";
      // Rounded down, so that rounding never pushes the last photo of a row onto the next.
      item.style.width = `${Math.floor(ratios[i] * height * 100) / 100}px`;
      item.style.height = `${Math.floor(height * 100) / 100}px`;
    }
  }
  grid.dataset.justified = "yes";
}

justifyGrids();
