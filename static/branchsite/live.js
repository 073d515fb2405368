// Keeps a page in step with one of the lobby sockets (see queueing/consumers.py), and the API
// helpers the pages share. Every live page follows its socket through `liveLobby` below.
//
// The page gets a snapshot, then changes numbered by the branch's lobby version. A change is
// applied only when it is exactly the next version; on a gap the page asks for a fresh snapshot.
// A ping every few seconds answers with the current version, so a change that was lost (a failed
// broadcast, a Redis restart) is noticed within one ping. A closed socket reconnects with backoff
// and gets a fresh snapshot; 4403 (not allowed) and 4404 (unknown) are final.

import { translations } from "./dom.js";

const PING_MS = 5000;
const MAX_BACKOFF_MS = 10000;

function followLobby(path, { version = null, onSnapshot, onChange, onStatus = () => {} }) {
  let current = version;
  let socket = null;
  let attempt = 0;
  let pinger = null;
  let stopped = false;

  const send = (message) => {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}${path}`);
    socket.addEventListener("open", () => {
      attempt = 0;
      onStatus("live");
      pinger = setInterval(() => send({ type: "ping" }), PING_MS);
    });
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "snapshot") {
        current = message.version;
        onSnapshot(message);
      } else if (message.type === "change") {
        if (current !== null && message.version <= current) return; // already in the snapshot
        if (current === null || message.version !== current + 1) {
          send({ type: "resync" });
          return;
        }
        current = message.version;
        onChange(message);
      } else if (message.type === "pong") {
        if (current === null || message.version > current) send({ type: "resync" });
      }
    });
    socket.addEventListener("close", (event) => {
      clearInterval(pinger);
      if (stopped) return;
      if (event.code === 4403 || event.code === 4404) {
        onStatus(event.code === 4403 ? "forbidden" : "gone");
        return;
      }
      onStatus("reconnecting");
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt) + Math.random() * 300;
      attempt += 1;
      setTimeout(connect, delay);
    });
  }

  connect();
  return {
    resync: () => send({ type: "resync" }),
    stop() {
      stopped = true;
      clearInterval(pinger);
      if (socket) socket.close();
    },
  };
}

// Today's tickets a lobby shows: the board drops one that left these (as queueing/lobby/snapshots.py's
// ACTIVE_STATUSES).
const ACTIVE = ["waiting", "called", "serving"];

// Follows a lobby socket (`followLobby`) from `initial`, the snapshot the template embedded, and
// keeps what the page knows of the lobby in `state`, the one place every live page reconciles
// snapshots and changes:
// - each part of a message (`queues`, `counters`, `calls`, `branch`, `ticket`, `alerts`…)
//   replaces the page's; a snapshot carries all of them, a change those it has news of;
// - `tickets`, today's active ones by token, start again with each snapshot, while a change
//   carries only the tickets that changed: each replaces its namesake, or leaves if no longer
//   active. Each ticket keeps its `receivedAt` (Date.now()), and `state.receivedAt[part]` says
//   when each part last came, so that a page can age the waits in them.
// `onUpdate(message, state)` runs after each message is applied, and at once for `initial`;
// `onStatus` is `followLobby`'s, first called with "connecting". Returns `{ state, putTicket,
// resync }`: `putTicket(ticket)` applies an action's answer ahead of the socket's change, as a
// change would; `resync()` asks for a fresh snapshot.
export function liveLobby(path, initial, { onUpdate, onStatus = () => {} }) {
  const state = { tickets: new Map(), receivedAt: {} };

  function putTicket(ticket) {
    if (ACTIVE.includes(ticket.status)) state.tickets.set(ticket.token, ticket);
    else state.tickets.delete(ticket.token);
  }

  function apply(message) {
    const receivedAt = Date.now();
    if (message.type === "snapshot") state.tickets = new Map();
    for (const [part, value] of Object.entries(message)) {
      if (part === "type" || part === "version") continue;
      if (part === "tickets") for (const ticket of value) putTicket({ ...ticket, receivedAt });
      else state[part] = value;
      state.receivedAt[part] = receivedAt;
    }
    onUpdate(message, state);
  }

  onStatus("connecting");
  apply(initial);
  const follower = followLobby(path, {
    version: initial.version,
    onSnapshot: apply,
    onChange: apply,
    onStatus,
  });
  return { state, putTicket, resync: follower.resync };
}

// The JSON a template embedded with {{ value|json_script:"id" }}.
export function embedded(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

// Names come in both languages; the page shows the one of its <html lang>.
export function localName(item) {
  return document.documentElement.lang.startsWith("zh") ? item.name_zh : item.name_en;
}

// An `onStatus` for followLobby, also called with "connecting" before it starts (liveLobby does):
// puts the status on body[data-live] (the tests and the CSS read it) and shows the page's
// `.connection` indicator unless the page is live or still connecting. The indicator says the
// page's words for `connection.<status>` (dom.js `translations`); for a status without its own
// words, the text the template put there stays.
export function connectionStatus() {
  const indicator = document.querySelector(".connection");
  const { strings } = translations();
  return (status) => {
    document.body.dataset.live = status;
    indicator.hidden = status === "live" || status === "connecting";
    const words = strings[`connection.${status}`];
    if (words) indicator.textContent = words;
  };
}

// The API's paths: an action on a ticket (`cancel`, `recall`, `history`, …) and on a counter
// (`call-next`, `open`, `close`).
export const ticketUrl = (token, action) => `/api/tickets/${encodeURIComponent(token)}/${action}/`;
export const counterUrl = (branchCode, number, action) =>
  `/api/branches/${encodeURIComponent(branchCode)}/counters/${number}/${action}/`;

// The CSRF token Django set in its cookie, for a POST.
export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// POST to the JSON API; resolves to {ok, status, body}. Errors carry {code, detail}. `headers`
// adds to the JSON and CSRF ones (e.g. `{ "Idempotency-Key": idempotencyKey() }`).
export async function post(url, body = null, headers = {}) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), ...headers },
    body: body === null ? null : JSON.stringify(body),
  });
  return answer(response);
}

// GET from the JSON API; resolves to {ok, status, body} like `post`.
export async function getJson(url) {
  const response = await fetch(url, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  return answer(response);
}

async function answer(response) {
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null; // a proxy's HTML error page: the caller shows its own words
  }
  return { ok: response.ok, status: response.status, body };
}

// A fresh key for one submission of a creating POST: a double tap or a retry sends the same key
// and the server answers it once. randomUUID exists only on HTTPS and localhost.
export function idempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

// Calls `refresh` (async) every `intervalMs` while the page is visible: a hidden tab costs the
// server nothing, and the figures are fresh again as soon as it is looked at. Returns
// `{ now() }` to refresh at once (the interval restarts from there).
export function refreshWhileVisible(refresh, intervalMs) {
  let timer = null;
  let running = false;
  let again = false; // asked for while a refresh was on its way: its answer may be stale

  async function tick() {
    clearTimeout(timer);
    if (document.hidden) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await refresh();
    } catch {
      // Offline for a moment: the next tick tries again.
    } finally {
      running = false;
      if (again) {
        again = false;
        tick();
      } else if (!document.hidden) {
        timer = setTimeout(tick, intervalMs);
      }
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) clearTimeout(timer);
    else tick();
  });
  timer = setTimeout(tick, intervalMs);
  return { now: tick };
}
