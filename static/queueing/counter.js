// The teller's counter: the ticket at this counter, its actions (each with a one-key shortcut),
// its history, and the queues the counter serves. Everything comes from the lobby socket; an
// action's answer is shown at once and the socket's change for it then agrees. A no-show or a
// finish, which cannot be taken back, shows at once and waits UNDO_GRACE_MS with its Undo
// before it is sent (staff.js `graceActions`); any other action sends it first.

import { branchClock, translations } from "../branchsite/dom.js";
import {
  connectionStatus,
  counterUrl,
  embedded,
  liveLobby,
  localName,
  post,
  ticketUrl,
} from "../branchsite/live.js";
import {
  confirmDialog,
  feedbackLine,
  graceActions,
  staffActions,
  transferChoices,
} from "../branchsite/staff.js";
import { renderCurrent } from "./counter/current.js";
import { ticketHistory } from "./counter/history.js";
import { renderQueues } from "./counter/queues.js";

const AT_COUNTER = ["called", "serving"];
const SHORTCUTS = {
  n: "call-next",
  r: "recall",
  s: "start",
  f: "finish",
  x: "no-show",
  t: "transfer",
};
const UNDO_KEY = "u";
const INFO_MS = 4000;
// The actions held back for their Undo, with the words that say what each did.
const UNDOABLE = { "no-show": "undo.no-show", finish: "undo.finish" };
const DESK = "desk"; // one action at a time for the whole counter

const desk = document.querySelector(".desk");
const branchCode = desk.dataset.branch;
const counterNumber = Number(desk.dataset.counter);
const snapshot = embedded("snapshot");
const services = embedded("services");
const { text } = translations();

const currentCard = document.getElementById("current-ticket");
const buttons = Object.fromEntries(
  Object.values(SHORTCUTS).map((id) => [id, document.getElementById(id)]),
);
const toggleButton = document.getElementById("toggle-counter");
const queueList = document.getElementById("queue-lengths");
const transferSelect = document.getElementById("transfer-service");
const recallReason = document.getElementById("recall-reason");

const clock = branchClock(snapshot.branch.time_zone);
const timeline = ticketHistory({
  list: document.getElementById("ticket-history"),
  empty: document.querySelector('[data-role="history-empty"]'),
  clock,
});
const show = feedbackLine(document.getElementById("message"), { info: INFO_MS });
const actions = staffActions({ show, failed: text("failed"), render });
const grace = graceActions({
  bar: document.getElementById("undo-bar"),
  send: (held) =>
    actions.act(
      DESK,
      () => post(held.url, held.body),
      (ticket) => {
        applyAnswer(ticket);
        show(held.words, "info");
      },
    ),
  render: () => render(),
  countdown: (seconds) => text("undo.countdown", { seconds }),
  onUndo: (held) => show(text("undo.undone", { number: held.number }), "info"),
});

let lobby = null; // the lobby as the socket told it (liveLobby's state)
let counter = null; // this counter's row of the lobby's `counters`, or an action's answer

function serviceName(prefix) {
  const service = services.find((candidate) => candidate.prefix === prefix);
  return service ? localName(service) : prefix;
}

// The ticket at this counter, with what the lobby's ticket list knows about it. One whose no-show
// or finish is held for its Undo, or on its way, has left already.
function currentTicket() {
  const reference = counter?.ticket;
  if (!reference || grace.holds(reference.token)) return null;
  return { ...lobby.tickets.get(reference.token), ...reference };
}

// An action's answer (a staff ticket with its events), ahead of the socket's change.
function applyAnswer(ticket, { replaces = null } = {}) {
  if (replaces) live.putTicket({ token: replaces, status: "transferred" });
  const known = lobby.tickets.get(ticket.token) ?? {};
  live.putTicket({
    ...known,
    token: ticket.token,
    number: ticket.number,
    service: ticket.service.prefix,
    status: ticket.status,
    called_at: ticket.called_at,
    counter: ticket.counter,
    recall_count: ticket.recall_count,
    appointment: ticket.appointment,
    actions: ticket.actions,
    // The wait is the server's figure, from the lobby's ticket list; for a ticket just called,
    // the socket's change brings it.
    waited_minutes: AT_COUNTER.includes(known.status) ? known.waited_minutes : null,
  });
  const here = AT_COUNTER.includes(ticket.status) && ticket.counter === counterNumber;
  counter = {
    ...counter,
    ticket: here ? { number: ticket.number, status: ticket.status, token: ticket.token } : null,
  };
  if (here) timeline.answered(currentTicket(), ticket.events);
}

// Rendering ---------------------------------------------------------------------------------

function render() {
  const ticket = currentTicket();
  renderCounter();
  renderCurrent(currentCard, ticket, { isOpen: counter.is_open, clock, serviceName });
  renderButtons(ticket);
  renderQueues(queueList, counter.services, lobby.queues, serviceName);
  timeline.follow(ticket);
}

function renderCounter() {
  const { is_open: isOpen, teller } = counter;
  const pill = document.getElementById("counter-state");
  pill.textContent = text(isOpen ? "counter.open" : "counter.closed");
  pill.className = `pill ${isOpen ? "open" : "closed"}`;
  document.getElementById("counter-teller").textContent = teller
    ? text("counter.teller", { teller })
    : text("counter.no-teller");
  toggleButton.textContent = text(isOpen ? "counter.close-action" : "counter.open-action");
  toggleButton.classList.toggle("primary", !isOpen);
  toggleButton.disabled = actions.busy(DESK);
}

// What may be done with the ticket is the server's `actions` (its names have "_" where the
// buttons' ids have "-"); calling the next one needs an open counter with nobody at it.
function renderButtons(ticket) {
  const status = ticket?.status ?? null;
  const offered = new Set(ticket?.actions ?? []);
  const allowed = {
    "call-next": counter.is_open && status === null,
    recall: offered.has("recall"),
    start: offered.has("start"),
    finish: offered.has("finish"),
    "no-show": offered.has("no_show"),
    // Only when there is another queue to move the ticket to.
    transfer: offered.has("transfer") && services.length > 1,
  };
  // The step a teller usually takes next stands out.
  const next = status === null ? "call-next" : { called: "start", serving: "finish" }[status];
  for (const [id, button] of Object.entries(buttons)) {
    button.disabled = actions.busy(DESK) || !allowed[id];
    button.classList.toggle("primary", id === next && allowed[id]);
  }
  // The server no longer offers a recall of this called ticket (it was recalled as often as
  // allowed): say so next to the button that is off.
  recallReason.hidden = !(status === "called" && ticket.actions && !offered.has("recall"));
}

// Actions -----------------------------------------------------------------------------------

// Every action sends a held no-show or finish first, and only once the server took it: the
// counter is busy until then and would refuse the next call.
async function act(request, onAnswer) {
  if (!(await grace.flush())) return; // the server's refusal of the held one is shown
  return actions.act(DESK, request, onAnswer, {
    onNobody: () => show(text("nobody-waiting"), "info"),
  });
}

buttons["call-next"].addEventListener("click", () =>
  act(
    () => post(counterUrl(branchCode, counterNumber, "call-next")),
    (ticket) => applyAnswer(ticket),
  ),
);
for (const action of ["recall", "start"]) {
  buttons[action].addEventListener("click", () => {
    const token = currentTicket()?.token;
    if (!token) return;
    act(
      () => post(ticketUrl(token, action)),
      (ticket) => applyAnswer(ticket),
    );
  });
}
for (const [action, words] of Object.entries(UNDOABLE)) {
  buttons[action].addEventListener("click", async () => {
    const ticket = currentTicket();
    if (!ticket || !(await grace.flush())) return;
    grace.hold({
      subject: ticket.token,
      number: ticket.number,
      words: text(words, { number: ticket.number }),
      url: ticketUrl(ticket.token, action),
      body: null,
    });
    show("");
  });
}

toggleButton.addEventListener("click", () => {
  const action = counter.is_open ? "close" : "open";
  act(
    () => post(counterUrl(branchCode, counterNumber, action)),
    (answer) => {
      counter = { ...counter, is_open: answer.is_open };
    },
  );
});

const transferDialog = confirmDialog(document.getElementById("transfer-dialog"), {
  prepare(ticket) {
    transferChoices(transferSelect, services, ticket.service);
    document.querySelector('#transfer-dialog [data-role="lead"]').textContent = text(
      "transfer.lead",
      { number: ticket.number },
    );
  },
  onConfirm(ticket) {
    const prefix = transferSelect.value;
    act(
      () => post(ticketUrl(ticket.token, "transfer"), { service: prefix }),
      (successor) => {
        applyAnswer(successor, { replaces: ticket.token });
        const queue = `${prefix} · ${serviceName(prefix)}`;
        show(text("transfer.done", { number: ticket.number, queue }), "info");
      },
    );
  },
  focus: transferSelect,
  enterConfirms: transferSelect,
});

buttons.transfer.addEventListener("click", () => {
  const ticket = currentTicket();
  if (ticket) transferDialog.ask(ticket);
});

const TYPING_TARGETS = "input, select, textarea, [contenteditable]:not([contenteditable='false'])";
const isTyping = (target) => Boolean(target.closest?.(TYPING_TARGETS));

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
  if (transferDialog.open || isTyping(event.target)) return;
  // Autofill sends keydown events without a key.
  const key = event.key?.toLowerCase();
  if (key === UNDO_KEY && grace.holding) {
    event.preventDefault();
    grace.undo();
    return;
  }
  const button = buttons[SHORTCUTS[key]];
  if (!button) return;
  event.preventDefault();
  if (!button.disabled) button.click();
});

// Start -------------------------------------------------------------------------------------

const live = liveLobby(`/ws/lobby/${encodeURIComponent(branchCode)}/`, snapshot, {
  onUpdate(message, state) {
    lobby = state;
    counter = lobby.counters.find((row) => row.number === counterNumber) ?? counter;
    render();
  },
  onStatus: connectionStatus(),
});
