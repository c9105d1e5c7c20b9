/* Albumen viewer: a viewer's picks on one link, as this browser keeps and sends them (loaded
   before picks.js, which shows them). The selection, the name, the note and a note on any picked
   photo live in localStorage (one entry per link) until they are sent, and after: the pick's id
   is made here and kept with them, so sending again updates the same list
   (PUT /s/{token}/picks/{id}). */
"use strict";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_NAME = 100;
const MAX_NOTE = 2000;
const MAX_PHOTO_NOTE = 1000;

/* Only the strings of a stored object of notes (what another version or a person put there may
   be anything). */
function notesOf(value) {
  if (!value || typeof value !== "object") {
    return {};
  }
  return Object.fromEntries(Object.entries(value).filter(([, note]) => typeof note === "string"));
}

const sameNotes = (one, other) => {
  const keys = Object.keys(one);
  return keys.length === Object.keys(other).length && keys.every((id) => one[id] === other[id]);
};

/* A UUID v4 from crypto.getRandomValues, which (unlike randomUUID) plain http pages have too. */
function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;

/* Why a photo cannot be picked: the link's limit (the photographer's package) is reached. */
const limitWords = (limit) => `You can pick up to ${plural(limit, "photo")}: unpick one to pick this one instead.`;

/* The viewer's picks on this link: read from and written to localStorage (in memory alone
   where storage is refused), shared with other tabs of the same link; `limit` (a number, or
   null) is how many photos the link takes. */
function selection(token, limit) {
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
    if (sent) {
      sent.notes = notesOf(sent.notes);
    }
    return {
      pickId: ok && UUID.test(saved.pickId) ? saved.pickId : newId(),
      picked: ok && Array.isArray(saved.picked) ? saved.picked.filter((id) => typeof id === "string") : [],
      name: ok ? text(saved.name) : "",
      note: ok ? text(saved.note) : "",
      notes: ok ? notesOf(saved.notes) : {}, // a note on a photo, by its id, as typed
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
    limit,
    has: (id) => state.picked.includes(id),
    // Pick or unpick; false (nothing changed) when the photo would go past the limit.
    toggle(id) {
      if (!api.has(id) && limit && state.picked.length >= limit) {
        return false;
      }
      state.picked = api.has(id) ? state.picked.filter((other) => other !== id) : [...state.picked, id];
      write();
      return true;
    },
    noteOf: (id) => state.notes[id] || "",
    setNote(id, note) {
      if (note.trim()) {
        state.notes[id] = note.slice(0, MAX_PHOTO_NOTE);
      } else {
        delete state.notes[id];
      }
      write();
    },
    // The notes that go with the picks: on picked photos, not blank (a note on a photo picked
    // and then unpicked stays here, in case it is picked again, but is not sent).
    photoNotes() {
      return Object.fromEntries(
        state.picked.filter((id) => (state.notes[id] || "").trim()).map((id) => [id, state.notes[id].trim()]),
      );
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
      const photos = sent.size !== state.picked.length || state.picked.some((id) => !sent.has(id));
      return photos || !sameNotes(api.photoNotes(), state.sent.notes);
    },
    onChange: (listener) => listeners.push(listener),
    send(name, note) {
      if (limit && state.picked.length > limit) {
        // Picked before the photographer set the limit (or in another tab): say so before sending.
        const over = state.picked.length - limit;
        return Promise.resolve({
          ok: false,
          message: `This album takes up to ${plural(limit, "pick")}: please unpick ${plural(over, "photo")} and send again.`,
        });
      }
      return send(token, state, api.photoNotes(), name, note, write);
    },
  };
  return api;
}

async function send(token, state, photoNotes, name, note, write) {
  const body = JSON.stringify({ name, note: note || null, photo_ids: state.picked, photo_notes: photoNotes });
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
    const sent = { at: stored.submitted_at, photoIds: stored.photo_ids, notes: stored.photo_notes || {} };
    Object.assign(state, { name, note, sent });
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
    if (message.startsWith("photo_ids: this link takes at most")) {
      return "The photographer changed how many photos you can pick. Reload the page to see it, then send again: your picks are kept.";
    }
    if (message.startsWith("photo_ids")) {
      return "Some photos you picked are no longer in the album. Reload the page and send again.";
    }
    if (message.startsWith("photo_notes")) {
      return `A note on a photo can be up to ${MAX_PHOTO_NOTE} characters of plain text.`;
    }
    if (message.startsWith("note")) {
      return `The note can be up to ${MAX_NOTE} characters of plain text.`;
    }
    return `Please give your name: one line, up to ${MAX_NAME} characters.`;
  }
  return `The server could not take your picks just now (error ${status}). They are kept in this browser: try again in a moment.`;
}

