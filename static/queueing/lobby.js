// The lobby manager's board: every queue, counter and active ticket of the branch, live from the
// lobby socket, with the manager's actions (open or close a counter, cancel or transfer a waiting
// ticket). Waits grow between messages, so the board ages them itself and an idle lobby still
// turns red on time.

import { h, translations } from "../branchsite/dom.js";
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
const TICK_MS = 20000;
const MESSAGE_MS = 8000;

const board = document.querySelector(".board");
const branchCode = board.dataset.branch;
const snapshot = embedded("snapshot");
const { strings, phrase, text } = translations("strings");

const queueCards = document.getElementById("queues");
const ticketRows = document.querySelector("#tickets tbody");
const counterList = document.getElementById("counters");
const message = document.getElementById("message");
const cancelDialog = document.getElementById("cancel-dialog");
const transferDialog = document.getElementById("transfer-dialog");
const transferSelect = document.getElementById("transfer-service");

// Each queue and ticket remembers when it arrived, to age its waits until the next message.
const state = {
  queues: [],
  counters: [],
  tickets: new Map(), // today's active tickets by token, oldest first when listed
  alerts: [],
  carts: [],
  umbrellas: null,
  busy: new Set(), // tokens and counter numbers with an action on its way
  pendingToken: null, // the ticket an open dialog is about
};

// Replaces only the children that differ: a row re-rendered under a finger would swallow its tap.
function reconcile(parent, children) {
  children.forEach((child, index) => {
    const current = parent.children[index];
    if (!current) parent.append(child);
    else if (!current.isEqualNode(child)) current.replaceWith(child);
  });
  while (parent.children.length > children.length) parent.lastElementChild.remove();
}

const minutesSince = (moment) => Math.floor((Date.now() - moment) / 60000);
const queueOf = (prefix) => state.queues.find((queue) => queue.prefix === prefix);

function waitedNow(ticket) {
  return ticket.status === "waiting"
    ? ticket.waited_minutes + minutesSince(ticket.receivedAt)
    : ticket.waited_minutes;
}

function isOverTime(ticket) {
  const threshold = queueOf(ticket.service)?.overtime_threshold_minutes;
  return (
    ticket.over_time ||
    (ticket.status === "waiting" && threshold != null && waitedNow(ticket) > threshold)
  );
}

// The server's figures as they arrived, grown by what the tickets show since: never below them.
function queueFigures(queue) {
  const waiting = [...state.tickets.values()].filter(
    (ticket) => ticket.service === queue.prefix && ticket.status === "waiting",
  );
  const aged = queue.waiting ? queue.longest_wait_minutes + minutesSince(queue.receivedAt) : 0;
  return {
    longest: Math.max(aged, ...waiting.map(waitedNow)),
    overTime: Math.max(queue.over_time, waiting.filter(isOverTime).length),
  };
}

// Socket messages ---------------------------------------------------------------------------

// A snapshot is a change that replaces the whole ticket list.
function applySnapshot(lobby) {
  state.tickets = new Map();
  applyChange(lobby);
}

function applyChange(change) {
  const receivedAt = Date.now();
  state.queues = change.queues.map((queue) => ({ ...queue, receivedAt }));
  state.counters = change.counters;
  for (const ticket of change.tickets) updateTicket({ ...ticket, receivedAt });
  // Snapshots carry alerts, carts and umbrellas; a change carries them once their features do.
  for (const part of ["alerts", "carts", "umbrellas"]) {
    if (part in change) state[part] = change[part];
  }
  render();
}

function updateTicket(ticket) {
  if (ACTIVE.includes(ticket.status)) state.tickets.set(ticket.token, ticket);
  else state.tickets.delete(ticket.token);
}

// Rendering ---------------------------------------------------------------------------------

function render() {
  renderQueues();
  renderTickets();
  renderCounters();
  renderAlerts();
  renderCarts();
  renderUmbrellas();
}

function figure(label, role, value) {
  return h(
    "div",
    { class: "figure" },
    h("dt", {}, text(label)),
    h("dd", {}, ...phrase("minutes", { minutes: h("span", { "data-role": role }, String(value)) })),
  );
}

function queueCard(queue) {
  const { longest, overTime } = queueFigures(queue);
  return h(
    "li",
    { class: `card queue${overTime ? " is-over-time" : ""}`, "data-prefix": queue.prefix },
    h(
      "div",
      { class: "queue-head" },
      h("span", { class: "prefix" }, queue.prefix),
      h("span", { class: "queue-name" }, localName(queue)),
      overTime
        ? h(
            "span",
            { class: "pill alert", "data-role": "over-time" },
            text("queue.over-time", { count: overTime }),
          )
        : "",
    ),
    h(
      "p",
      { class: "queue-waiting" },
      h("span", { "data-role": "waiting" }, String(queue.waiting)),
      h("span", { class: "unit" }, text("queue.waiting")),
    ),
    h(
      "dl",
      { class: "queue-figures" },
      figure("queue.longest", "longest", longest),
      figure("queue.estimate", "estimate", queue.estimated_wait_minutes),
      h(
        "div",
        { class: "figure" },
        h("dt", {}, text("queue.counters")),
        h("dd", { "data-role": "open-counters" }, String(queue.open_counters)),
      ),
    ),
  );
}

function renderQueues() {
  reconcile(queueCards, state.queues.map(queueCard));
}

function statusCell(ticket) {
  const status = ticket.status;
  const pill = h("span", { class: `pill status-${status}` }, text(`status.${status}`));
  if (ticket.counter == null) return h("td", {}, pill);
  const counter = h("span", { class: "at-counter" }, text("at-counter", { n: ticket.counter }));
  return h("td", {}, pill, " ", counter);
}

function waitedCell(ticket) {
  return h(
    "td",
    { class: "waited" },
    ...phrase("minutes", {
      minutes: h("span", { "data-role": "waited" }, String(waitedNow(ticket))),
    }),
    isOverTime(ticket) ? h("span", { class: "over-time-label" }, text("over-time")) : "",
  );
}

function actionsCell(ticket) {
  if (ticket.status !== "waiting") return h("td", { class: "row-actions" });
  const disabled = state.busy.has(ticket.token);
  const button = (action, style) =>
    h(
      "button",
      { class: `button ${style}`, type: "button", "data-action": action, disabled },
      text(`action.${action}`),
    );
  return h(
    "td",
    { class: "row-actions" },
    button("transfer", ""),
    button("cancel", "quiet-danger"),
  );
}

function ticketRow(ticket) {
  const queue = queueOf(ticket.service);
  return h(
    "tr",
    {
      "data-token": ticket.token,
      "data-status": ticket.status,
      class: isOverTime(ticket) ? "is-over-time" : false,
    },
    h(
      "th",
      { scope: "row" },
      h("span", { class: "number", "data-role": "number" }, ticket.number),
      h("span", { class: "channel" }, text(`channel.${ticket.channel}`)),
    ),
    h(
      "td",
      { class: "service" },
      h("span", { class: "prefix small" }, ticket.service),
      h("span", { class: "service-name" }, queue ? localName(queue) : ""),
    ),
    statusCell(ticket),
    waitedCell(ticket),
    actionsCell(ticket),
  );
}

function renderTickets() {
  const tickets = [...state.tickets.values()].sort(
    (a, b) => Date.parse(a.issued_at) - Date.parse(b.issued_at) || a.number.localeCompare(b.number),
  );
  reconcile(ticketRows, tickets.map(ticketRow));
  const waiting = tickets.filter((ticket) => ticket.status === "waiting").length;
  board.querySelector('[data-role="tickets-count"]').textContent = text("tickets.count", {
    count: waiting,
  });
  board.querySelector('[data-role="tickets-empty"]').hidden = tickets.length > 0;
}

function counterItem(counter) {
  const open = counter.is_open;
  const ticket = counter.ticket;
  return h(
    "li",
    { "data-counter": counter.number, class: open ? "is-open" : "is-closed" },
    h("span", { class: "counter-number" }, String(counter.number)),
    h(
      "p",
      { class: "counter-line" },
      h(
        "span",
        { class: `pill ${open ? "open" : "closed"}`, "data-role": "state" },
        text(open ? "counter.open" : "counter.closed"),
      ),
      ...counter.services.map((prefix) => h("span", { class: "prefix small" }, prefix)),
    ),
    h(
      "p",
      { class: "counter-line counter-work" },
      h(
        "span",
        { class: "counter-ticket", "data-role": "ticket" },
        ticket ? `${ticket.number} · ${text(`status.${ticket.status}`)}` : "",
      ),
      h("span", { class: "teller" }, counter.teller ?? (open ? text("counter.no-teller") : "")),
    ),
    h(
      "button",
      {
        class: "button",
        type: "button",
        "data-action": "toggle",
        "aria-label": text(open ? "counter.close-label" : "counter.open-label", {
          n: counter.number,
        }),
        disabled: state.busy.has(counter.number),
      },
      text(open ? "counter.close-action" : "counter.open-action"),
    ),
  );
}

function renderCounters() {
  reconcile(counterList, state.counters.map(counterItem));
  const open = state.counters.filter((counter) => counter.is_open).length;
  board.querySelector('[data-role="counters-count"]').textContent = text("counters.count", {
    open,
    all: state.counters.length,
  });
}

function emptyState(key) {
  return h("p", { class: "empty" }, text(key));
}

// Alerts and carts are filled by later features; each item carries a human `detail` or `label`.
function renderAlerts() {
  const panel = document.getElementById("alerts");
  if (!state.alerts.length) return panel.replaceChildren(emptyState("alerts.empty"));
  const items = state.alerts.map((alert) => h("li", {}, alert.detail ?? alert.code));
  panel.replaceChildren(h("ul", { class: "items alerts" }, ...items));
}

function renderCarts() {
  const panel = document.getElementById("carts");
  if (!state.carts.length) return panel.replaceChildren(emptyState("carts.empty"));
  const items = state.carts.map((cart) =>
    h("li", { "data-cart": cart.id }, cart.label ?? text("carts.item", { id: cart.id })),
  );
  panel.replaceChildren(h("ul", { class: "items" }, ...items));
}

function renderUmbrellas() {
  const panel = document.getElementById("umbrellas");
  const stock = state.umbrellas;
  if (!stock) return panel.replaceChildren(emptyState("umbrellas.empty"));
  panel.replaceChildren(
    h(
      "dl",
      { class: "stock" },
      ...["available", "lent", "overdue"]
        .filter((kind) => kind in stock)
        .map((kind) =>
          h(
            "div",
            { class: "figure" },
            h("dt", {}, text(`umbrellas.${kind}`)),
            h("dd", { "data-role": kind }, String(stock[kind])),
          ),
        ),
    ),
  );
}

let messageTimer = null;
function showMessage(words) {
  clearTimeout(messageTimer);
  message.textContent = words;
  if (words) messageTimer = setTimeout(() => showMessage(""), MESSAGE_MS);
}

const showConnection = connectionStatus((status) => strings[`connection.${status}`]);

// Actions -----------------------------------------------------------------------------------

// Runs one request for `key` (a ticket's token or a counter's number); a second tap meanwhile
// is ignored. The socket's change follows the answer within moments.
async function act(key, request, onAnswer) {
  if (state.busy.has(key)) return;
  state.busy.add(key);
  showMessage("");
  render();
  try {
    const answer = await request();
    if (answer.ok) onAnswer(answer.body);
    else showMessage(answer.body?.detail ?? text("failed"));
  } catch {
    showMessage(text("failed"));
  } finally {
    state.busy.delete(key);
    render();
  }
}

function askToCancel(ticket) {
  state.pendingToken = ticket.token;
  cancelDialog.querySelector('[data-role="title"]').textContent = text("cancel.title", {
    number: ticket.number,
  });
  cancelDialog.returnValue = "";
  cancelDialog.showModal();
}

function askToTransfer(ticket) {
  state.pendingToken = ticket.token;
  transferDialog.querySelector('[data-role="title"]').textContent = text("transfer.title", {
    number: ticket.number,
  });
  transferSelect.replaceChildren(
    ...state.queues
      .filter((queue) => queue.prefix !== ticket.service)
      .map((queue) =>
        h("option", { value: queue.prefix }, `${queue.prefix} · ${localName(queue)}`),
      ),
  );
  transferDialog.returnValue = "";
  transferDialog.showModal();
}

// The dialog's ticket, once the manager confirmed; null when they backed out.
function confirmedTicket(dialog) {
  const token = state.pendingToken;
  state.pendingToken = null;
  return dialog.returnValue === "confirm" ? state.tickets.get(token) ?? { token } : null;
}

cancelDialog.addEventListener("close", () => {
  const ticket = confirmedTicket(cancelDialog);
  if (!ticket) return;
  act(
    ticket.token,
    () => post(ticketUrl(ticket.token, "cancel")),
    () => updateTicket({ token: ticket.token, status: "cancelled" }),
  );
});

transferDialog.addEventListener("close", () => {
  const ticket = confirmedTicket(transferDialog);
  if (!ticket) return;
  act(
    ticket.token,
    () => post(ticketUrl(ticket.token, "transfer"), { service: transferSelect.value }),
    (successor) => {
      // The successor keeps the original issue time, so it has waited just as long.
      state.tickets.delete(ticket.token);
      updateTicket({
        ...ticket,
        token: successor.token,
        service: successor.service.prefix,
        status: successor.status,
        counter: successor.counter,
        recall_count: successor.recall_count,
        over_time: false, // judged again against the new queue's threshold
      });
    },
  );
});

ticketRows.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  const ticket = button && state.tickets.get(button.closest("tr").dataset.token);
  if (!ticket) return;
  if (button.dataset.action === "cancel") askToCancel(ticket);
  else if (button.dataset.action === "transfer") askToTransfer(ticket);
});

counterList.addEventListener("click", (event) => {
  const button = event.target.closest('button[data-action="toggle"]');
  if (!button) return;
  const number = Number(button.closest("li").dataset.counter);
  const counter = state.counters.find((candidate) => candidate.number === number);
  const action = counter.is_open ? "close" : "open";
  act(
    number,
    () => post(counterUrl(branchCode, number, action)),
    (answer) => {
      // A closed counter has no teller; the socket's change names whoever opened it.
      state.counters = state.counters.map((candidate) =>
        candidate.number !== number
          ? candidate
          : {
              ...candidate,
              is_open: answer.is_open,
              teller: answer.is_open ? candidate.teller : null,
            },
      );
    },
  );
});

// Start -------------------------------------------------------------------------------------

showConnection("connecting");
applySnapshot(snapshot);
setInterval(() => {
  renderQueues();
  renderTickets();
}, TICK_MS);
followLobby(`/ws/lobby/${encodeURIComponent(branchCode)}/`, {
  version: snapshot.version,
  onSnapshot: applySnapshot,
  onChange: applyChange,
  onStatus: showConnection,
});
