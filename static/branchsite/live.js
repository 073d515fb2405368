// Keeps a page in step with one of the lobby sockets (see queueing/consumers.py).
//
// The page gets a snapshot, then changes numbered by the branch's lobby version. A change is
// applied only when it is exactly the next version; on a gap the page asks for a fresh snapshot.
// A ping every few seconds answers with the current version, so a change that was lost (a failed
// broadcast, a Redis restart) is noticed within one ping. A closed socket reconnects with backoff
// and gets a fresh snapshot; 4403 (not allowed) and 4404 (unknown) are final.

const PING_MS = 5000;
const MAX_BACKOFF_MS = 10000;

export function followLobby(path, { version = null, onSnapshot, onChange, onStatus = () => {} }) {
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

// The JSON a template embedded with {{ value|json_script:"id" }}.
export function embedded(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

// Names come in both languages; the page shows the one of its <html lang>.
export function localName(item) {
  return document.documentElement.lang.startsWith("zh") ? item.name_zh : item.name_en;
}

// An `onStatus` for followLobby, also called by the page with "connecting" before it starts:
// puts the status on body[data-live] (the tests and the CSS read it) and shows the page's
// `.connection` indicator unless the page is live or still connecting. `words(status)` gives the
// indicator's text; without it, the text the template put there stays.
export function connectionStatus(words = null) {
  const indicator = document.querySelector(".connection");
  return (status) => {
    document.body.dataset.live = status;
    indicator.hidden = status === "live" || status === "connecting";
    if (words) indicator.textContent = words(status) ?? "";
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
