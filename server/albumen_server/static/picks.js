/* Albumen viewer: picks (proofing), loaded only on a link that allows them, after
   picks_store.js (the selection as this browser keeps and sends it).

   On the gallery: a heart on every photo of the grid and in the lightbox (F there), a note on a
   picked photo in the lightbox (N), a "Picks (n)" filter, and "Send my picks" asking for a name
   and an optional note. On a photo's own page: the plain forms the server renders for browsers
   without JavaScript, taken over. Names and notes are only ever put in the page as text. */
"use strict";

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
    heart.addEventListener("click", () => afterToggle(store.toggle(link.dataset.id)));
    const noted = document.createElement("span");
    noted.className = "note-mark";
    noted.setAttribute("aria-hidden", "true");
    noted.title = "You wrote a note on this photo";
    noted.textContent = "✎";
    item.append(heart, noted);
    return [{ id: link.dataset.id, item, heart, noted, alt }];
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
  let refusal = null; // why the last heart did nothing: the link's limit
  const afterToggle = (done) => {
    refusal = done ? null : limitWords(store.limit);
    render();
  };
  // In the lightbox the bar's status is out of sight: the same words over the photo a while.
  const lbNotice = lightbox && document.createElement("p");
  let noticeTimer = null;
  if (lbNotice) {
    lbNotice.className = "lb-notice";
    lbNotice.setAttribute("role", "status");
    lbNotice.hidden = true;
    lightbox.querySelector(".lb-stage").append(lbNotice);
  }
  const refusedHere = (done) => {
    afterToggle(done);
    if (!done && lbNotice) {
      lbNotice.textContent = refusal;
      lbNotice.hidden = false;
      clearTimeout(noticeTimer);
      noticeTimer = setTimeout(() => {
        lbNotice.hidden = true;
      }, 5000);
    }
  };
  const note = lightbox ? lightboxNote(lightbox, store) : { show() {}, render() {} };
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
      const written = on && store.noteOf(cell.id).trim() !== "";
      const state = on ? (written ? "Picked, with your note" : "Picked") : "Pick";
      cell.heart.setAttribute("aria-label", `${state}: ${cell.alt}`);
      cell.noted.hidden = !written;
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
    if (download) {
      download.hidden = picked === 0;
    }
    sendButton.disabled = picked === 0 && !store.state.sent;
    if (refusal) {
      status.textContent = refusal;
    } else if (store.changedSinceSent()) {
      justSent = null;
      status.textContent = "You changed your picks: send them again to update the list.";
    } else if (store.state.sent) {
      status.textContent = sentWords(justSent === null ? store.state.sent.photoIds.length : justSent);
    } else {
      const upTo = store.limit ? `up to ${plural(store.limit, "photo")} ` : "the photos ";
      status.textContent = picked ? "Not sent yet." : `Pick ${upTo}you like with ♥, then send them.`;
    }
    if (lbPick && shownId) {
      const on = store.has(shownId);
      lbPick.setAttribute("aria-pressed", String(on));
      lbPick.querySelector(".lb-pick-label").textContent = on ? "Picked" : "Pick";
    }
    note.render();
    if (layoutChanged) {
      document.dispatchEvent(new Event("albumen:layout"));
    }
  }

  const download = bar.querySelector(".picks-download");
  if (download) {
    download.addEventListener("click", () => downloadPicks(bar.dataset.token, store.state.picked));
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
      note.show(id);
      render();
    };
    lightbox.addEventListener("albumen:photo", (event) => showing(event.detail.id));
    if (lightbox.open && lightbox.shownPhoto) {
      showing(lightbox.shownPhoto.id); // opened by the URL before this script ran
    }
    lbPick.addEventListener("click", () => shownId && refusedHere(store.toggle(shownId)));
    lightbox.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey || !shownId) {
        return;
      }
      if (event.key === "f" || event.key === "F") {
        event.preventDefault();
        refusedHere(store.toggle(shownId));
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

/* The lightbox's note on the shown photo, for the photographer ("a tighter crop, please"): a
   button beside the heart while the photo is picked (N) opens a box over the photo's foot; what
   is typed is kept as it is typed, and goes with the picks when they are sent. */
function lightboxNote(lightbox, store) {
  const button = lightbox.querySelector(".lb-note");
  const box = lightbox.querySelector(".lb-note-box");
  if (!button || !box) {
    return { show() {}, render() {} };
  }
  const label = button.querySelector(".lb-note-label");
  const text = box.querySelector("textarea");
  let id = null;

  const open = () => {
    box.hidden = false;
    button.setAttribute("aria-expanded", "true");
    text.value = store.noteOf(id);
    text.focus();
  };
  const shut = (refocus) => {
    if (box.hidden) {
      return;
    }
    box.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (refocus) {
      button.focus();
    }
  };
  button.addEventListener("click", () => (box.hidden ? open() : shut(true)));
  text.addEventListener("input", () => id && store.setNote(id, text.value));
  box.addEventListener("submit", (event) => {
    event.preventDefault();
    shut(true);
  });
  // What is typed is text, not the lightbox's keys (→, F, P, Esc…); Esc or Ctrl+Enter closes
  // the box alone. A drag in it is no swipe.
  box.addEventListener("keydown", (event) => {
    event.stopPropagation();
    if (event.key === "Escape" || (event.key === "Enter" && (event.ctrlKey || event.metaKey))) {
      event.preventDefault();
      shut(true);
    }
  });
  box.addEventListener("pointerdown", (event) => event.stopPropagation());
  lightbox.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || button.hidden) {
      return;
    }
    if ((event.key === "n" || event.key === "N") && box.hidden) {
      event.preventDefault();
      open();
    }
  });
  lightbox.addEventListener("close", () => shut(false));

  const api = {
    show(photoId) {
      if (photoId !== id) {
        shut(false);
      }
      id = photoId;
      api.render();
    },
    render() {
      const picked = id !== null && store.has(id);
      const written = picked && store.noteOf(id).trim() !== "";
      if (!picked) {
        shut(false);
      }
      button.hidden = !picked;
      button.classList.toggle("has-note", written);
      label.textContent = written ? "Your note" : "Add a note";
      if (document.activeElement !== text) {
        text.value = id ? store.noteOf(id) : "";
      }
    },
  };
  return api;
}

/* The picked photos as one zip (what the link allows: originals or web sizes): a form's POST,
   since their ids may be more than a URL carries. */
function downloadPicks(token, photoIds) {
  const form = document.createElement("form");
  form.method = "post";
  form.action = `/s/${token}/download`;
  form.hidden = true;
  const ids = document.createElement("input");
  ids.type = "hidden";
  ids.name = "photo_ids";
  ids.value = photoIds.join(",");
  form.append(ids);
  document.body.append(form);
  form.submit();
  form.remove();
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
    const notes = Object.keys(store.photoNotes()).length;
    const noted = notes ? `, ${notes} with your note` : "";
    summary.textContent = count
      ? `${plural(count, "photo")} picked${noted}. The photographer gets the list with your name.`
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
  const noteForm = panel.querySelector(".pick-photo-note");
  const noteText = noteForm && noteForm.querySelector("textarea");
  if (noteForm) {
    // Kept as it is typed, as in the lightbox: no button to press.
    noteForm.querySelector(".pick-photo-note-save").hidden = true;
    noteText.value = store.noteOf(id);
    noteText.addEventListener("input", () => store.setNote(id, noteText.value));
    noteForm.addEventListener("submit", (event) => event.preventDefault());
  }
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
    if (noteForm) {
      noteForm.hidden = !on;
      if (document.activeElement !== noteText) {
        noteText.value = store.noteOf(id);
      }
    }
    const picked = store.state.picked.length;
    count.textContent = store.limit ? `${picked} of ${plural(store.limit, "photo")} picked` : `${plural(picked, "photo")} picked`;
    const sent = store.state.sent;
    sentLine.hidden = !sent;
    if (sent) {
      sentLine.textContent = store.changedSinceSent()
        ? "You changed your picks since sending them: send again to update the list."
        : `You sent ${plural(sent.photoIds.length, "pick")}. Sending again updates them.`;
    }
    submit.disabled = store.state.picked.length === 0 && !sent;
  }

  const toggled = (done) => say(done ? "" : limitWords(store.limit), !done);
  toggle.addEventListener("submit", (event) => {
    event.preventDefault();
    toggled(store.toggle(id));
  });
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target.closest("input, textarea")) {
      return;
    }
    if (event.key === "f" || event.key === "F") {
      event.preventDefault();
      toggled(store.toggle(id));
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
  const limit = Number((bar || panel.querySelector(".pick-count") || {}).dataset?.limit) || null;
  const store = selection(root.dataset.token, limit);
  if (bar) {
    gallery(bar, store);
  }
  if (panel) {
    photoPage(panel, store);
  }
})();
