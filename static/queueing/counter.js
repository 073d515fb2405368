// The teller's counter: the ticket at this counter, its actions (each with a one-key shortcut),
// its history, and the queues the counter serves. Everything comes from the lobby socket; an
// action's answer is shown at once and the socket's change for it then agrees.

import { branchClock, h, translations } from "../branchsite/dom.js";
import {
  connectionStatus,
  counterUrl,
  embedded,
  followLobby,
  localName,
  post,
  ticketUrl,
} from "../branchsite/live.js";

const ACTIVE = ["waiting", "called", "serving"];
const AT_COUNTER = ["called", "serving"];
const SHORTCUTS = {
  n: "call-next",
  r: "recall",
  s: "start",
  f: "finish",
  x: "no-show",
  t: "transfer",
};
const INFO_MS = 4000;

const desk = document.querySelector(".desk");
const branchCode = desk.dataset.branch;
const counterNumber = Number(desk.dataset.counter);
// A called ticket is recalled at most this often (the server refuses more); none given: no limit.
const maxRecalls = desk.dataset.maxRecalls ? Number(desk.dataset.maxRecalls) : Infinity;
const snapshot = embedded("snapshot");
const services = embedded("services");
const { strings, phrase, text } = translations("strings");

const currentCard = document.getElementById("current-ticket");
const field = (role) => currentCard.querySelector(`[data-role="${role}"]`);
const buttons = Object.fromEntries(
  Object.values(SHORTCUTS).map((id) => [id, document.getElementById(id)]),
);
const toggleButton = document.getElementById("toggle-counter");
const message = document.getElementById("message");
const timeline = document.getElementById("ticket-history");
const historyEmpty = document.querySelector('[data-role="history-empty"]');
const queueList = document.getElementById("queue-lengths");
const transferDialog = document.getElementById("transfer-dialog");
const transferSelect = document.getElementById("transfer-service");

const state = {
  counter: null, // this counter's row of the lobby's `counters`
  queues: [],
  tickets: new Map(), // today's active tickets by token: the current one's recalls and waits
  historyKey: null, // which ticket state the timeline shows
  busy: false, // an action is on its way: no second one meanwhile
  transferToken: null,
};

const clock = branchClock(snapshot.branch.time_zone);

function serviceName(prefix) {
  const service = services.find((candidate) => candidate.prefix === prefix);
  return service ? localName(service) : prefix;
}

// The ticket at this counter, with what the lobby's ticket list knows about it.
function currentTicket() {
  const reference = state.counter?.ticket;
  return reference ? { ...state.tickets.get(reference.token), ...reference } : null;
}

function historyKeyOf(ticket) {
  return ticket ? `${ticket.token}:${ticket.status}:${ticket.recall_count ?? 0}` : null;
}

// Socket messages ---------------------------------------------------------------------------

function applySnapshot(lobby) {
  state.tickets = new Map(lobby.tickets.map((ticket) => [ticket.token, ticket]));
  applyLobby(lobby);
}

function applyChange(change) {
  for (const ticket of change.tickets) {
    if (ACTIVE.includes(ticket.status)) state.tickets.set(ticket.token, ticket);
    else state.tickets.delete(ticket.token);
  }
  applyLobby(change);
}

function applyLobby({ counters, queues }) {
  state.counter = counters.find((counter) => counter.number === counterNumber) ?? state.counter;
  state.queues = queues;
  render();
}

// An action's answer (a staff ticket with its events), ahead of the socket's change.
function applyAnswer(ticket, { replaces = null } = {}) {
  if (replaces) state.tickets.delete(replaces);
  if (ACTIVE.includes(ticket.status)) {
    const known = state.tickets.get(ticket.token) ?? {};
    state.tickets.set(ticket.token, {
      ...known,
      token: ticket.token,
      number: ticket.number,
      service: ticket.service.prefix,
      status: ticket.status,
      called_at: ticket.called_at,
      counter: ticket.counter,
      recall_count: ticket.recall_count,
      appointment: ticket.appointment,
      // Both times are the server's: no clock of this PC enters the wait.
      waited_minutes: ticket.called_at
        ? Math.floor((Date.parse(ticket.called_at) - Date.parse(ticket.issued_at)) / 60000)
        : known.waited_minutes,
    });
  } else {
    state.tickets.delete(ticket.token);
  }
  const here = AT_COUNTER.includes(ticket.status) && ticket.counter === counterNumber;
  state.counter = {
    ...state.counter,
    ticket: here ? { number: ticket.number, status: ticket.status, token: ticket.token } : null,
  };
  if (here) {
    state.historyKey = historyKeyOf(currentTicket());
    renderHistory(ticket.events);
  }
  render();
}

// Rendering ---------------------------------------------------------------------------------

function render() {
  renderCounter();
  renderCurrent();
  renderButtons();
  renderQueues();
  syncHistory();
}

function renderCounter() {
  const { is_open: isOpen, teller } = state.counter;
  const pill = document.getElementById("counter-state");
  pill.textContent = text(isOpen ? "counter.open" : "counter.closed");
  pill.className = `pill ${isOpen ? "open" : "closed"}`;
  document.getElementById("counter-teller").textContent = teller
    ? text("counter.teller", { teller })
    : text("counter.no-teller");
  toggleButton.textContent = text(isOpen ? "counter.close-action" : "counter.open-action");
  toggleButton.classList.toggle("primary", !isOpen);
  toggleButton.disabled = state.busy;
}

function renderCurrent() {
  const ticket = currentTicket();
  currentCard.dataset.status = ticket?.status ?? "idle";
  field("idle").hidden = Boolean(ticket);
  field("idle").textContent = text(state.counter.is_open ? "idle.open" : "idle.closed");
  currentCard.querySelector(".current-body").hidden = !ticket;
  if (!ticket) {
    field("number").textContent = "";
    field("status").textContent = "";
    field("appointment").hidden = true;
    field("cash").hidden = true;
    return;
  }
  renderAppointment(ticket.appointment);
  field("number").textContent = ticket.number;
  field("service").textContent = ticket.service
    ? `${ticket.service} · ${serviceName(ticket.service)}`
    : "";
  const status = field("status");
  status.textContent = text(`status.${ticket.status}`);
  status.className = `pill status-${ticket.status}`;
  const facts = [];
  if (ticket.called_at) {
    facts.push(text("called-at", { time: clock.format(new Date(ticket.called_at)) }));
  }
  if (ticket.waited_minutes != null) facts.push(text("waited", { minutes: ticket.waited_minutes }));
  if (ticket.recall_count) facts.push(text("recalled", { count: ticket.recall_count }));
  field("detail").textContent = facts.join(" · ");
}

// An appointment's ticket tells the teller who booked and, for a large withdrawal, the cash
// that was ordered for them.
function renderAppointment(appointment) {
  const line = field("appointment");
  const cash = field("cash");
  line.hidden = !appointment;
  cash.hidden = !appointment?.cash_amount;
  if (!appointment) return;
  const time = clock.format(new Date(appointment.starts_at));
  line.textContent = appointment.name
    ? text("appointment", { time, name: appointment.name })
    : text("appointment-anonymous", { time });
  if (appointment.cash_amount) {
    const money = new Intl.NumberFormat(document.documentElement.lang, {
      style: "currency",
      currency: appointment.cash_currency,
    });
    cash.textContent = text("cash", { amount: money.format(Number(appointment.cash_amount)) });
  }
}

function renderButtons() {
  const ticket = currentTicket();
  const status = ticket?.status ?? null;
  const allowed = {
    "call-next": state.counter.is_open && status === null,
    recall: status === "called" && (ticket.recall_count ?? 0) < maxRecalls,
    start: status === "called",
    finish: status === "serving",
    "no-show": status === "called",
    transfer: status === "called" && services.length > 1,
  };
  // The step a teller usually takes next stands out.
  const next = status === null ? "call-next" : { called: "start", serving: "finish" }[status];
  for (const [id, button] of Object.entries(buttons)) {
    button.disabled = state.busy || !allowed[id];
    button.classList.toggle("primary", id === next && allowed[id]);
  }
}

function renderQueues() {
  const served = state.counter.services;
  const rows = served.map((prefix) => {
    const queue = state.queues.find((candidate) => candidate.prefix === prefix);
    return h(
      "li",
      { "data-prefix": prefix },
      h("span", { class: "prefix" }, prefix),
      h("span", { class: "queue-name" }, queue ? localName(queue) : serviceName(prefix)),
      h(
        "span",
        { class: "queue-waiting" },
        h("strong", { "data-role": "waiting" }, String(queue?.waiting ?? 0)),
        " ",
        text("queue.waiting"),
      ),
      h(
        "span",
        { class: "queue-estimate" },
        ...phrase("queue.estimate", {
          minutes: h(
            "span",
            { "data-role": "estimate" },
            String(queue?.estimated_wait_minutes ?? 0),
          ),
        }),
      ),
    );
  });
  if (!rows.length) rows.push(h("li", { class: "empty" }, text("queue.none")));
  queueList.replaceChildren(...rows);
}

// The timeline is fetched again only when the ticket, its status or its recalls change.
function syncHistory() {
  const ticket = currentTicket();
  const key = historyKeyOf(ticket);
  if (key === state.historyKey) return;
  state.historyKey = key;
  if (!ticket) {
    renderHistory([]);
    return;
  }
  fetch(ticketUrl(ticket.token, "history"), { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
    .then((staffTicket) => {
      if (state.historyKey === key) renderHistory(staffTicket.events);
    })
    .catch(() => {
      // Try again with the next message rather than show a stale timeline as current.
      if (state.historyKey === key) state.historyKey = null;
    });
}

function renderHistory(events) {
  timeline.replaceChildren(
    ...events.map((event) =>
      h(
        "li",
        {},
        h("time", { datetime: event.at }, clock.format(new Date(event.at))),
        " ",
        h("span", { class: "action" }, text(`action.${event.action}`)),
        event.actor ? h("span", { class: "actor" }, " ", text("by", { actor: event.actor })) : "",
        event.note ? h("span", { class: "note" }, " ", event.note) : "",
      ),
    ),
  );
  historyEmpty.hidden = events.length > 0;
}

let messageTimer = null;
function showMessage(words, tone = "error") {
  clearTimeout(messageTimer);
  message.textContent = words;
  message.dataset.tone = tone;
  if (words && tone === "info") messageTimer = setTimeout(() => showMessage(""), INFO_MS);
}

const showConnection = connectionStatus((status) => strings[`connection.${status}`]);

// Actions -----------------------------------------------------------------------------------

async function act(request, onAnswer) {
  if (state.busy) return;
  state.busy = true;
  showMessage("");
  renderButtons();
  renderCounter();
  try {
    const answer = await request();
    if (answer.status === 204) showMessage(text("nobody-waiting"), "info");
    else if (answer.ok) onAnswer(answer.body);
    else showMessage(answer.body?.detail ?? text("failed"));
  } catch {
    showMessage(text("failed"));
  } finally {
    state.busy = false;
    render();
  }
}

function ticketAction(action) {
  const token = currentTicket()?.token;
  if (token) act(() => post(ticketUrl(token, action)), (ticket) => applyAnswer(ticket));
}

buttons["call-next"].addEventListener("click", () =>
  act(
    () => post(counterUrl(branchCode, counterNumber, "call-next")),
    (ticket) => applyAnswer(ticket),
  ),
);
for (const action of ["recall", "start", "finish", "no-show"]) {
  buttons[action].addEventListener("click", () => ticketAction(action));
}

toggleButton.addEventListener("click", () => {
  const action = state.counter.is_open ? "close" : "open";
  act(
    () => post(counterUrl(branchCode, counterNumber, action)),
    (counter) => {
      state.counter = { ...state.counter, is_open: counter.is_open };
    },
  );
});

buttons.transfer.addEventListener("click", () => {
  const ticket = currentTicket();
  if (!ticket) return;
  state.transferToken = ticket.token;
  transferSelect.replaceChildren(
    ...services
      .filter((service) => service.prefix !== ticket.service)
      .map((service) =>
        h("option", { value: service.prefix }, `${service.prefix} · ${localName(service)}`),
      ),
  );
  transferDialog.querySelector('[data-role="lead"]').textContent = text("transfer.lead", {
    number: ticket.number,
  });
  transferDialog.returnValue = "";
  transferDialog.showModal();
  transferSelect.focus();
});

// Enter on the select confirms, as it would in a text field.
transferSelect.addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    transferDialog.close("confirm");
  }
});

transferDialog.addEventListener("close", () => {
  const token = state.transferToken;
  state.transferToken = null;
  if (transferDialog.returnValue !== "confirm" || !token) return;
  act(
    () => post(ticketUrl(token, "transfer"), { service: transferSelect.value }),
    (successor) => applyAnswer(successor, { replaces: token }),
  );
});

const TYPING_TARGETS = "input, select, textarea, [contenteditable]:not([contenteditable='false'])";
const isTyping = (target) => Boolean(target.closest?.(TYPING_TARGETS));

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
  if (transferDialog.open || isTyping(event.target)) return;
  // Autofill sends keydown events without a key.
  const button = buttons[SHORTCUTS[event.key?.toLowerCase()]];
  if (!button) return;
  event.preventDefault();
  if (!button.disabled) button.click();
});

// Start -------------------------------------------------------------------------------------

showConnection("connecting");
applySnapshot(snapshot);
followLobby(`/ws/lobby/${encodeURIComponent(branchCode)}/`, {
  version: snapshot.version,
  onSnapshot: applySnapshot,
  onChange: applyChange,
  onStatus: showConnection,
});
