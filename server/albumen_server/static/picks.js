/* Albumen viewer: picks (proofing), loaded only on a link that allows them.

   On the gallery: a heart on every photo of the grid and in the lightbox (F there), a
   "Picks (n)" filter, and "Send my picks" asking for a name and an optional note. On a photo's
   own page: the plain forms the server renders for browsers without JavaScript, taken over.
   The selection lives in this browser (localStorage, one entry per link) until it is sent, and
   after: the pick's id is made here and kept with it, so sending again updates the same list
   (PUT /s/{token}/picks/{id}). Names and notes are only ever put in the page as text. */
"use strict";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_NAME = 100;
const MAX_NOTE = 2000;

/* A UUID v4 from crypto.getRandomValues, which (unlike randomUUID) plain http pages have too. */
function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;

/* The viewer's picks on this link: read from and written to localStorage (in memory alone
   where storage is refused), shared with other tabs of the same link. */
function selection(token) {
  const key = `albumen.picks.${token}`;
  const listeners = [];
  let state = read();

  function read() {
    let saved = null;
    try {
      saved = JSON.parse(window.localStorage.getItem(key) || "null");
    } catch {
      saved = null;
    }
    const text = (value) => (typeof value === "string" ? value : "");
    const ok = saved && typeof saved === "object";
    const sent = ok && saved.sent && Array.isArray(saved.sent.photoIds) ? saved.sent : null;
    return {
      pickId: ok && UUID.test(saved.pickId) ? saved.pickId : newId(),
      picked: ok && Array.isArray(saved.picked) ? saved.picked.filter((id) => typeof id === "string") : [],
      name: ok ? text(saved.name) : "",
      note: ok ? text(saved.note) : "",
      sent,
    };
  }

  function write() {
    try {
      window.localStorage.setItem(key, JSON.stringify(state));
    } catch {
      // Private browsing or a full storage: the picks last as long as this page.
    }
    for (const listener of listeners) {
      listener();
    }
  }

  window.addEventListener("storage", (event) => {
    if (event.key === key) {
      state = read();
      for (const listener of listeners) {
        listener();
      }
    }
  });

  const api = {
    get state() {
      return state;
    },
    has: (id) => state.picked.includes(id),
    toggle(id) {
      state.picked = api.has(id) ? state.picked.filter((other) => other !== id) : [...state.picked, id];
      write();
    },
    keepOnly(ids) {
      const known = new Set(ids);
      const kept = state.picked.filter((id) => known.has(id));
      if (kept.length !== state.picked.length) {
        state.picked = kept;
        write();
      }
    },
    // Whether the picks differ from those last sent.
    changedSinceSent() {
      if (!state.sent) {
        return false;
      }
      const sent = new Set(state.sent.photoIds);
      return sent.size !== state.picked.length || state.picked.some((id) => !sent.has(id));
    },
    onChange: (listener) => listeners.push(listener),
    send: (name, note) => send(token, state, name, note, write),
  };
  return api;
}

async function send(token, state, name, note, write) {
  const body = JSON.stringify({ name, note: note || null, photo_ids: state.picked });
  const put = () =>
    fetch(`/s/${token}/picks/${state.pickId}`, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body,
    });
  let response;
  try {
    response = await put();
    if (response.status === 409) {
      state.pickId = newId(); // that id was sent through another link: start a list of our own
      response = await put();
    }
  } catch {
    return { ok: false, message: "The server could not be reached. Your picks are kept in this browser: try again in a moment." };
  }
  if (response.ok) {
    const stored = await response.json();
    Object.assign(state, { name, note, sent: { at: stored.submitted_at, photoIds: stored.photo_ids } });
    write();
    return { ok: true, count: stored.photo_ids.length };
  }
  return { ok: false, message: await failure(response) };
}

async function failure(response) {
  const status = response.status;
  if (status === 429) {
    const minutes = Math.max(1, Math.round(Number(response.headers.get("Retry-After") || 60) / 60));
    return `Your picks were sent many times in a short while. Please try again in ${plural(minutes, "minute")}.`;
  }
  if (status === 401) {
    return "This album asks for its password again. Reload the page and enter it, then send: your picks are kept.";
  }
  if (status === 404) {
    return "This link no longer takes picks. Your picks are still kept in this browser.";
  }
  if (status === 422) {
    let message = "";
    try {
      message = (await response.json()).error.message || "";
    } catch {
      message = "";
    }
    if (message.startsWith("photo_ids")) {
      return "Some photos you picked are no longer in the album. Reload the page and send again.";
    }
    if (message.startsWith("note")) {
      return `The note can be up to ${MAX_NOTE} characters of plain text.`;
    }
    return `Please give your name: one line, up to ${MAX_NAME} characters.`;
  }
  return `The server could not take your picks just now (error ${status}). They are kept in this browser: try again in a moment.`;
}

function nameProblem(name) {
  if (!name) {
    return "Please give your name, so the photographer knows whose picks these are.";
  }
  if (name.length > MAX_NAME) {
    return `Please keep your name to ${MAX_NAME} characters.`;
  }
  return null;
}

function heartIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.classList.add("heart-svg");
  const path = document.createElementNS(ns, "path");
  path.setAttribute(
    "d",
    "M12 20.6l-1.3-1.2C5.9 15 2.7 12.1 2.7 8.4 2.7 5.5 5 3.2 7.9 3.2c1.6 0 3.2.8 4.1 2 " +
      "1-1.2 2.5-2 4.1-2 2.9 0 5.2 2.3 5.2 5.2 0 3.7-3.2 6.6-8 11L12 20.6z",
  );
  svg.append(path);
  return svg;
}

function fillIcons(root) {
  for (const slot of root.querySelectorAll(".heart-icon")) {
    slot.replaceChildren(heartIcon());
  }
}

function sentWords(count) {
  return `Sent ${plural(count, "pick")} to the photographer.`;
}

function gallery(bar, store) {
  const cells = Array.from(document.querySelectorAll("#photos ul.grid > li")).flatMap((item) => {
    const link = item.querySelector("a.photo");
    if (!link) {
      return [];
    }
    const alt = (link.querySelector("img") || {}).alt || "this photo";
    const heart = document.createElement("button");
    heart.type = "button";
    heart.className = "heart";
    heart.append(heartIcon());
    heart.addEventListener("click", () => store.toggle(link.dataset.id));
    item.append(heart);
    return [{ id: link.dataset.id, item, heart, alt }];
  });
  store.keepOnly(cells.map((cell) => cell.id)); // photos taken out of the album since
  const filter = bar.querySelector(".picks-filter");
  const count = bar.querySelector(".picks-count");
  const sendButton = bar.querySelector(".picks-send");
  const status = bar.querySelector(".picks-status");
  const lightbox = document.getElementById("lightbox");
  const lbPick = lightbox && lightbox.querySelector(".lb-pick");
  let filtering = false;
  let justSent = null; // the count just sent, for "Sent 12 picks…"
  let shownId = null; // the lightbox's photo
  fillIcons(bar);

  function render() {
    const picked = store.state.picked.length;
    if (filtering && picked === 0) {
      filtering = false;
    }
    let layoutChanged = false;
    for (const cell of cells) {
      const on = store.has(cell.id);
      cell.heart.setAttribute("aria-pressed", String(on));
      cell.heart.setAttribute("aria-label", `${on ? "Picked" : "Pick"}: ${cell.alt}`);
      cell.item.classList.toggle("picked", on);
      const hide = filtering && !on;
      if (cell.item.hidden !== hide) {
        cell.item.hidden = hide;
        layoutChanged = true;
      }
    }
    count.textContent = String(picked);
    filter.setAttribute("aria-pressed", String(filtering));
    filter.disabled = picked === 0;
    sendButton.disabled = picked === 0 && !store.state.sent;
    if (store.changedSinceSent()) {
      justSent = null;
      status.textContent = "You changed your picks: send them again to update the list.";
    } else if (store.state.sent) {
      status.textContent = sentWords(justSent === null ? store.state.sent.photoIds.length : justSent);
    } else {
      status.textContent = picked ? "Not sent yet." : "Pick the photos you like with ♥, then send them.";
    }
    if (lbPick && shownId) {
      const on = store.has(shownId);
      lbPick.setAttribute("aria-pressed", String(on));
      lbPick.querySelector(".lb-pick-label").textContent = on ? "Picked" : "Pick";
    }
    if (layoutChanged) {
      document.dispatchEvent(new Event("albumen:layout"));
    }
  }

  filter.addEventListener("click", () => {
    filtering = !filtering;
    render();
    if (filtering) {
      document.getElementById("picks-bar").scrollIntoView({ block: "nearest" });
    }
  });

  if (lightbox && lbPick) {
    fillIcons(lbPick);
    const showing = (id) => {
      shownId = id;
      lbPick.hidden = false;
      render();
    };
    lightbox.addEventListener("albumen:photo", (event) => showing(event.detail.id));
    if (lightbox.open && lightbox.shownPhoto) {
      showing(lightbox.shownPhoto.id); // opened by the URL before this script ran
    }
    lbPick.addEventListener("click", () => shownId && store.toggle(shownId));
    lightbox.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey || !shownId) {
        return;
      }
      if (event.key === "f" || event.key === "F") {
        event.preventDefault();
        store.toggle(shownId);
      }
    });
  }

  sendDialog(store, sendButton, (sent) => {
    justSent = sent;
    render();
  });
  store.onChange(render);
  bar.hidden = false;
  // The bar stays at the top of the screen: a jump to a place (or to "Places") lands below it,
  // not under it, however many rows it takes.
  if ("ResizeObserver" in window) {
    new ResizeObserver(() => {
      document.documentElement.style.scrollPaddingTop = `${bar.offsetHeight + 8}px`;
    }).observe(bar);
  }
  render();
}

function sendDialog(store, opener, sent) {
  const dialog = document.getElementById("picks-dialog");
  if (!dialog || typeof dialog.showModal !== "function") {
    opener.hidden = true;
    return;
  }
  const form = dialog.querySelector("form");
  const name = dialog.querySelector("#picks-name");
  const note = dialog.querySelector("#picks-note");
  const error = dialog.querySelector(".picks-error");
  const summary = dialog.querySelector(".picks-summary");
  const submit = dialog.querySelector(".picks-submit");

  const showError = (message) => {
    error.textContent = message || "";
    error.hidden = !message;
    name.toggleAttribute("aria-invalid", Boolean(message) && !name.value.trim());
    if (message) {
      name.setAttribute("aria-describedby", "picks-error");
    } else {
      name.removeAttribute("aria-describedby");
    }
  };

  opener.addEventListener("click", () => {
    const count = store.state.picked.length;
    summary.textContent = count
      ? `${plural(count, "photo")} picked. The photographer gets the list with your name.`
      : "No photos picked: sending takes back the picks you sent before.";
    name.value = store.state.name;
    note.value = store.state.note;
    showError(null);
    dialog.showModal();
    (name.value ? submit : name).focus();
  });
  dialog.querySelector(".picks-cancel").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const typed = name.value.trim();
    const problem = nameProblem(typed);
    if (problem) {
      showError(problem);
      name.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = "Sending…";
    const result = await store.send(typed, note.value.slice(0, MAX_NOTE));
    submit.disabled = false;
    submit.textContent = "Send";
    if (result.ok) {
      dialog.close();
      sent(result.count);
      opener.focus();
    } else {
      showError(result.message);
    }
  });
}

/* A photo's own page: the server's forms for pick/unpick and send, done here instead. */
function photoPage(panel, store) {
  const id = panel.dataset.photo;
  const toggle = panel.querySelector(".pick-toggle");
  const sendForm = panel.querySelector(".pick-send");
  if (!id || !toggle || !sendForm) {
    return;
  }
  const button = toggle.querySelector("button");
  const label = button.querySelector(".heart-label");
  const count = panel.querySelector(".pick-count");
  const sentLine = panel.querySelector(".pick-sent");
  const name = sendForm.querySelector("#pick-name");
  const note = sendForm.querySelector("#pick-note");
  const submit = sendForm.querySelector("button[type=submit]");
  // The server's words are about its own copy of the picks, not this browser's.
  for (const old of panel.querySelectorAll(".pick-notice, #pick-error")) {
    old.remove();
  }
  name.removeAttribute("aria-describedby");
  const message = document.createElement("p");
  message.setAttribute("role", "status");
  message.className = "pick-notice";
  message.hidden = true;
  panel.prepend(message);
  fillIcons(panel);
  if (store.state.name) {
    name.value = store.state.name;
    note.value = store.state.note;
  }

  const say = (text, isError) => {
    message.textContent = text;
    message.hidden = !text;
    message.classList.toggle("error", Boolean(isError));
  };

  function render() {
    const on = store.has(id);
    button.setAttribute("aria-pressed", String(on));
    label.textContent = on ? "Picked" : "Pick this photo";
    count.textContent = `${plural(store.state.picked.length, "photo")} picked`;
    const sent = store.state.sent;
    sentLine.hidden = !sent;
    if (sent) {
      sentLine.textContent = store.changedSinceSent()
        ? "You changed your picks since sending them: send again to update the list."
        : `You sent ${plural(sent.photoIds.length, "pick")}. Sending again updates them.`;
    }
    submit.disabled = store.state.picked.length === 0 && !sent;
  }

  toggle.addEventListener("submit", (event) => {
    event.preventDefault();
    store.toggle(id);
    say("");
  });
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target.closest("input, textarea")) {
      return;
    }
    if (event.key === "f" || event.key === "F") {
      event.preventDefault();
      store.toggle(id);
    }
  });
  sendForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const typed = name.value.trim();
    const problem = nameProblem(typed);
    if (problem) {
      say(problem, true);
      name.focus();
      return;
    }
    submit.disabled = true;
    const result = await store.send(typed, note.value.slice(0, MAX_NOTE));
    submit.disabled = false;
    say(result.ok ? sentWords(result.count) : result.message, !result.ok);
    render();
  });
  store.onChange(render);
  render();
}

(function start() {
  const bar = document.getElementById("picks-bar");
  const panel = document.getElementById("picks");
  const root = bar || panel;
  if (!root || !root.dataset.token) {
    return;
  }
  const store = selection(root.dataset.token);
  if (bar) {
    gallery(bar, store);
  }
  if (panel) {
    photoPage(panel, store);
  }
})();
