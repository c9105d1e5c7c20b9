/* Albumen viewer: the lightbox over the gallery (with its slideshow and full screen), and arrow
   keys on a photo's own page. The grid's rows are justify.js's.

   Everything here improves pages that already work without it: each thumbnail is a link to the
   photo's server-rendered page. No inline script is needed (the Content-Security-Policy allows
   none): the pages carry what this file needs in data- attributes. */
"use strict";

const SLIDE_MS = 5000; // how long the slideshow holds each photo, counted once it has loaded

(function start() {
  const pictures = document.querySelectorAll(".grid a img, .cover img, figure.single img");
  for (const picture of pictures) {
    sayWhenMissing(picture);
  }
  const dialog = document.getElementById("lightbox");
  if (dialog && typeof dialog.showModal === "function") {
    lightbox(dialog);
  }
  const back = document.querySelector(".photo-page .back");
  if (back) {
    photoPageKeys(back);
  }
})();

/* A picture the server cannot make (a RAW file from a camera newer than its decoder, a file
   damaged past what its structure shows) answers with an error, and the browser would draw its
   broken-image sign with the photo's name in a corner. Its place says "No preview" instead,
   keeping the photo's shape and its link to the photo's page (where the photo's download is,
   when the link gives one). An album's cover that cannot be shown is left out. */
function sayWhenMissing(picture) {
  const missing = () => {
    const cover = picture.closest(".cover");
    if (cover) {
      cover.hidden = true;
      return;
    }
    const place = picture.parentElement;
    place.classList.add("no-picture");
    if (!place.querySelector(".no-picture-label")) {
      const label = document.createElement("span");
      label.className = "no-picture-label";
      const name = document.createElement("span");
      name.className = "no-picture-name";
      name.textContent = picture.alt; // the photo's name, for telling the photographer
      label.append("No preview", name);
      picture.after(label); // where the picture was: before a caption
    }
  };
  // A picture may have failed before this script ran (it runs once the page is parsed).
  if (picture.complete && picture.currentSrc && !picture.naturalWidth) {
    missing();
  } else {
    picture.addEventListener("error", missing, { once: true });
  }
}

function lightbox(dialog) {
  const links = Array.from(document.querySelectorAll("#photos a.photo"));
  if (!links.length) {
    return;
  }
  const photos = links.map((link) => ({
    id: link.dataset.id,
    page: link.getAttribute("href"),
    preview: link.dataset.preview,
    large: link.dataset.large || null,
    download: link.dataset.download || null,
    original: link.dataset.original || null,
    arriving: link.dataset.arriving === "yes",
    width: Number(link.dataset.width) || 0,
    height: Number(link.dataset.height) || 0,
    alt: link.querySelector("img").alt,
    section: link.dataset.section || null,
    link,
  }));
  const indexOf = new Map(photos.map((photo, index) => [photo.id, index]));
  // Photos hidden by a filter (picks.js's "Picks") are stepped over.
  const shown = (index) => !photos[index].link.closest("li").hidden;
  const $ = (selector) => dialog.querySelector(selector);
  const image = $(".lb-image");
  const previous = $(".lb-prev");
  const next = $(".lb-next");
  const position = $(".lb-position");
  const name = $(".lb-name");
  const download = $(".lb-download");
  const original = $(".lb-original");
  const arriving = $(".lb-arriving");
  const info = $(".lb-info");
  const infoList = $(".lb-info dl");
  const infoToggle = $(".lb-info-toggle");
  const noPicture = $(".lb-no-picture");
  const wantsFacts = dialog.dataset.facts === "yes";
  const facts = new Map(); // photo id -> Promise of [{label, value}]
  const preloaded = new Map(); // picture URL -> Image, kept so the browser keeps the bytes
  let current = -1;
  let infoOpen = window.matchMedia("(min-width: 701px)").matches;
  image.addEventListener("error", () => {
    if (image.getAttribute("src")) {
      image.hidden = true; // no broken-image sign: the stage says why there is no photo
      noPicture.hidden = false;
    }
  });

  const hashId = () => {
    const match = /^#photo=([\w-]+)$/.exec(window.location.hash);
    return match ? match[1] : null;
  };
  const setLink = (element, href) => {
    element.hidden = !href;
    if (href) {
      element.href = href;
    } else {
      element.removeAttribute("href");
    }
  };

  // A screen that shows the photo with more pixels than its preview has (a 2x laptop, a 5K
  // display) gets the large picture, where the photo has one.
  const stage = $(".lb-stage");
  const previewEdge = Number(dialog.dataset.previewEdge) || 2048;
  function pictureOf(photo) {
    if (!photo.large || !photo.width || !photo.height) {
      return photo.preview;
    }
    const ratio = photo.width / photo.height;
    const wide = stage.clientWidth || window.innerWidth; // 0 until the dialog first opens
    const high = stage.clientHeight || window.innerHeight;
    const shownWide = Math.min(wide, high * ratio) * (window.devicePixelRatio || 1);
    const previewWide = previewEdge * Math.min(1, ratio);
    return shownWide > previewWide * 1.1 ? photo.large : photo.preview;
  }

  function preload(index) {
    const photo = photos[index];
    if (!photo) {
      return;
    }
    const source = pictureOf(photo);
    if (preloaded.has(source)) {
      return;
    }
    const loader = new Image();
    loader.decoding = "async";
    loader.src = source;
    preloaded.set(source, loader);
  }

  function renderFacts(photo, list) {
    if (photos[current] !== photo) {
      return; // the viewer has moved on while this was loading
    }
    infoList.replaceChildren();
    for (const fact of list) {
      const term = document.createElement("dt");
      term.textContent = fact.label;
      const value = document.createElement("dd");
      value.textContent = fact.value;
      infoList.append(term, value);
    }
    infoToggle.hidden = list.length === 0;
    info.hidden = list.length === 0 || !infoOpen;
  }

  function loadFacts(photo) {
    if (!facts.has(photo.id)) {
      facts.set(
        photo.id,
        fetch(photo.page + ".json", { credentials: "same-origin" })
          .then((response) => (response.ok ? response.json() : { facts: [] }))
          .then((body) => body.facts || [])
          .catch(() => {
            facts.delete(photo.id); // try again next time
            return [];
          }),
      );
    }
    facts.get(photo.id).then((list) => renderFacts(photo, list));
  }

  function show(index) {
    current = index;
    const photo = photos[index];
    if (photo.width && photo.height) {
      image.width = photo.width;
      image.height = photo.height;
    }
    noPicture.hidden = true;
    image.hidden = false;
    image.src = pictureOf(photo);
    image.alt = photo.alt;
    position.textContent = `${index + 1} / ${photos.length}`;
    name.textContent = photo.section ? `${photo.section} · ${photo.alt}` : photo.alt;
    previous.disabled = !photos.some((_, i) => i < index && shown(i));
    next.disabled = !photos.some((_, i) => i > index && shown(i));
    setLink(download, photo.download);
    setLink(original, photo.original);
    arriving.hidden = !photo.arriving; // its original can be downloaded once it has landed
    info.hidden = true;
    infoToggle.hidden = true;
    if (wantsFacts) {
      loadFacts(photo);
    }
    preload(index + 1);
    preload(index - 1);
    if (playing) {
      hold(); // a step by hand while playing: this photo gets its whole time too
    }
    // For picks.js and zoom.js: the photo the lightbox shows now, as this file read it from
    // the grid, in the event and on the dialog (for a script that starts after a URL with a
    // photo in it opened the lightbox).
    const { id, large, width, height } = photo;
    dialog.shownPhoto = { id, large, width, height };
    dialog.dispatchEvent(new CustomEvent("albumen:photo", { detail: dialog.shownPhoto }));
    if (!dialog.open) {
      dialog.showModal();
      $(".lb-close").focus();
    }
  }

  function hide() {
    pause();
    if (document.fullscreenElement && fullscreenIsOurs) {
      document.exitFullscreen().catch(() => {});
    }
    if (!dialog.open) {
      return;
    }
    dialog.close();
    const photo = photos[current];
    current = -1;
    image.removeAttribute("src");
    if (photo) {
      photo.link.focus({ preventScroll: true });
      photo.link.scrollIntoView({ block: "nearest" });
    }
  }

  // The photo's id is in the URL (#photo=...), so a reload or a shared URL opens it again.
  // Opening adds one history entry, so Back closes the lightbox; moving between photos
  // replaces it, so Back does not walk through every photo seen.
  function open(index) {
    const url = `#photo=${photos[index].id}`;
    if (hashId() === null) {
      window.history.pushState({ albumen: "photo" }, "", url);
    } else {
      window.history.replaceState(window.history.state, "", url);
    }
    show(index);
  }

  function go(step) {
    let index = current + step;
    while (index >= 0 && index < photos.length && !shown(index)) {
      index += step;
    }
    if (current < 0 || index < 0 || index >= photos.length) {
      return;
    }
    window.history.replaceState(window.history.state, "", `#photo=${photos[index].id}`);
    show(index);
  }

  // Slideshow: each photo is held SLIDE_MS once its picture has loaded (a slow connection never
  // skips one unseen), then the next shown one follows, the first after the last. The screen is
  // kept awake while it plays, where the browser allows it.
  const play = $(".lb-play");
  const playLabel = $(".lb-play-label");
  const playIcon = $(".lb-play-icon");
  const slideshow = document.querySelector(".slideshow");
  let playing = false;
  let timer = 0;
  let awake = null;

  function hold() {
    window.clearTimeout(timer);
    const index = current;
    const begin = () => {
      if (playing && current === index) {
        window.clearTimeout(timer);
        timer = window.setTimeout(advance, SLIDE_MS);
      }
    };
    if (image.complete && image.naturalWidth) {
      begin();
    } else {
      image.addEventListener("load", begin, { once: true });
      image.addEventListener("error", begin, { once: true });
    }
  }

  function advance() {
    if (!playing || current < 0) {
      return;
    }
    let index = current;
    do {
      index = (index + 1) % photos.length;
    } while (index !== current && !shown(index));
    if (index === current) {
      pause(); // nothing else to show
      return;
    }
    window.history.replaceState(window.history.state, "", `#photo=${photos[index].id}`);
    show(index);
  }

  function keepAwake() {
    if (!playing || awake || !navigator.wakeLock || document.visibilityState !== "visible") {
      return;
    }
    awake = navigator.wakeLock.request("screen").catch(() => null);
  }

  function setPlaying(on) {
    playing = on;
    play.setAttribute("aria-pressed", String(on));
    playLabel.textContent = on ? "Pause" : "Play";
    playIcon.textContent = on ? "❚❚" : "▶";
    play.title = on ? "Pause the slideshow (P)" : "Slideshow (P)";
  }

  function start() {
    setPlaying(true);
    keepAwake();
    hold();
  }

  function pause() {
    if (!playing) {
      return;
    }
    setPlaying(false);
    window.clearTimeout(timer);
    if (awake) {
      awake.then((lock) => lock && lock.release()).catch(() => {});
      awake = null;
    }
  }

  play.hidden = photos.length < 2;
  play.addEventListener("click", () => (playing ? pause() : start()));
  if (slideshow) {
    slideshow.hidden = photos.length < 2;
    slideshow.addEventListener("click", () => {
      const first = photos.findIndex((_, index) => shown(index));
      if (first >= 0) {
        open(first);
        start();
      }
    });
  }
  document.addEventListener("visibilitychange", () => {
    awake = null; // the browser lets go of the lock when the page is hidden
    keepAwake();
  });

  // Full screen, for a slideshow on a television or a projector: the page's, since browsers
  // refuse a modal dialog as the element (the dialog already covers the whole page). Left when
  // the lightbox closes, if the lightbox asked for it.
  const root = document.documentElement;
  const fullscreen = $(".lb-fullscreen");
  let fullscreenIsOurs = false;
  fullscreen.hidden = !document.fullscreenEnabled || !root.requestFullscreen;
  fullscreen.addEventListener("click", () => {
    if (document.fullscreenElement) {
      document.exitFullscreen().catch(() => {});
    } else {
      root.requestFullscreen().then(
        () => {
          fullscreenIsOurs = true;
        },
        () => {},
      );
    }
  });
  document.addEventListener("fullscreenchange", () => {
    const on = Boolean(document.fullscreenElement);
    fullscreenIsOurs = fullscreenIsOurs && on;
    fullscreen.setAttribute("aria-pressed", String(on));
    $(".lb-fullscreen-label").textContent = on ? "Exit full screen" : "Full screen";
  });

  function close() {
    if (window.history.state && window.history.state.albumen === "photo") {
      window.history.back(); // popstate hides the lightbox
    } else {
      const { pathname, search } = window.location;
      window.history.replaceState(null, "", pathname + search);
      hide();
    }
  }

  function sync() {
    const id = hashId();
    if (id !== null && indexOf.has(id)) {
      show(indexOf.get(id));
    } else {
      hide();
    }
  }

  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) {
      return;
    }
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return; // let the browser open the photo's page in a new tab or window
    }
    const link = event.target.closest("a.photo, a.photo-link");
    if (!link || !indexOf.has(link.dataset.id)) {
      return;
    }
    event.preventDefault();
    open(indexOf.get(link.dataset.id));
  });
  previous.addEventListener("click", () => go(-1));
  next.addEventListener("click", () => go(1));
  $(".lb-close").addEventListener("click", close);
  infoToggle.addEventListener("click", () => {
    infoOpen = !infoOpen;
    infoToggle.setAttribute("aria-pressed", String(infoOpen));
    info.hidden = !infoOpen || infoList.childElementCount === 0;
  });
  infoToggle.setAttribute("aria-pressed", String(infoOpen));
  dialog.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    if (event.key === "ArrowRight") {
      event.preventDefault();
      go(1);
    } else if (event.key === "ArrowLeft") {
      event.preventDefault();
      go(-1);
    } else if (event.key === "Escape") {
      event.preventDefault(); // no "cancel": close() keeps the URL and history right
      if (document.fullscreenElement) {
        document.exitFullscreen().catch(() => {}); // first out of full screen, as browsers do
      } else {
        close();
      }
    } else if ((event.key === "p" || event.key === "P") && !play.hidden) {
      event.preventDefault();
      if (playing) {
        pause();
      } else {
        start();
      }
    }
  });
  dialog.addEventListener("close", () => {
    if (hashId() !== null) {
      close(); // closed some other way: take the photo out of the URL too
    }
  });

  // Swipe: a mostly horizontal drag of 50 px or more, with a finger, a pen or a mouse.
  let swipe = null;
  image.draggable = false; // a mouse drag would otherwise pick the picture up instead
  stage.addEventListener("dragstart", (event) => event.preventDefault());
  stage.addEventListener("pointerdown", (event) => {
    swipe = { x: event.clientX, y: event.clientY };
  });
  stage.addEventListener("pointercancel", () => {
    swipe = null;
  });
  stage.addEventListener("pointerup", (event) => {
    if (!swipe) {
      return;
    }
    const dx = event.clientX - swipe.x;
    const dy = event.clientY - swipe.y;
    swipe = null;
    if (Math.abs(dx) >= 50 && Math.abs(dx) > 1.5 * Math.abs(dy)) {
      go(dx < 0 ? 1 : -1);
    }
  });

  window.addEventListener("popstate", sync);
  sync();
}

function photoPageKeys(back) {
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    if (event.target.closest && event.target.closest("input, textarea, select")) {
      return;
    }
    const follow = (selector) => {
      const link = document.querySelector(selector);
      if (link) {
        event.preventDefault();
        window.location.assign(link.href);
      }
    };
    if (event.key === "ArrowRight") {
      follow("a[rel=next]");
    } else if (event.key === "ArrowLeft") {
      follow("a[rel=prev]");
    } else if (event.key === "Escape") {
      event.preventDefault();
      window.location.assign(back.href);
    }
  });
}
