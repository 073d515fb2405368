// The lobby manager's board: every queue, counter and active ticket of the branch and the
// over-time alerts, live from the lobby socket, with the manager's actions (open or close a
// counter; cancel or transfer a ticket, as its `actions` offer, each confirmed in its dialog;
// issue a ticket for a customer, ./lobby/issue.js). Its parts render in ./lobby/;
// ./lobby/clock.js ages the waits between messages.

import { translations } from "../branchsite/dom.js";
import {
  connectionStatus,
  counterUrl,
  embedded,
  liveLobby,
  localName,
  post,
  ticketUrl,
} from "../branchsite/live.js";
import { confirmDialog, feedbackLine, staffActions, transferChoices } from "../branchsite/staff.js";
import { renderAlerts } from "./lobby/alerts.js";
import { untilNextOverTime } from "./lobby/clock.js";
import { renderCounters } from "./lobby/counters.js";
import { issueDialog } from "./lobby/issue.js";
import { renderQueues } from "./lobby/queues.js";
import { renderTickets } from "./lobby/tickets.js";

const TICK_MS = 20000;
const MESSAGE_MS = 8000;

const board = document.querySelector(".board");
const branchCode = board.dataset.branch;
const { text } = translations();
const queueCards = document.getElementById("queues");
const transferSelect = document.getElementById("transfer-service");

const show = feedbackLine(document.getElementById("message"), {
  error: MESSAGE_MS,
  info: MESSAGE_MS,
});
// Keys are tickets' tokens and counters' numbers.
const actions = staffActions({ show, failed: text("failed"), render });

let lobby = null; // the lobby as the socket told it (liveLobby's state)

// Rendering ---------------------------------------------------------------------------------

function render() {
  renderWaits();
  renderCounters(board, lobby, actions.busy);
}

// Waits grow by the minute and a ticket turns over time at its moment: the queues, tickets and
// alerts render again at the next such moment, and at least every TICK_MS.
let tickTimer = null;
function renderWaits() {
  renderQueues(queueCards, lobby);
  renderTickets(board, lobby, actions.busy);
  renderAlerts(board, lobby);
  clearTimeout(tickTimer);
  tickTimer = setTimeout(renderWaits, Math.min(TICK_MS, untilNextOverTime(lobby.tickets) + 100));
}

// Actions -----------------------------------------------------------------------------------

const cancelDialog = confirmDialog(document.getElementById("cancel-dialog"), {
  prepare(token) {
    const title = document.querySelector('#cancel-dialog [data-role="title"]');
    title.textContent = text("cancel.title", { number: lobby.tickets.get(token).number });
  },
  onConfirm(token) {
    const number = lobby.tickets.get(token)?.number; // it may have left meanwhile
    actions.act(
      token,
      () => post(ticketUrl(token, "cancel")),
      () => {
        live.putTicket({ token, status: "cancelled" });
        show(text("cancel.done", { number }), "info");
      },
    );
  },
});

const transferDialog = confirmDialog(document.getElementById("transfer-dialog"), {
  prepare(token) {
    const ticket = lobby.tickets.get(token);
    const title = document.querySelector('#transfer-dialog [data-role="title"]');
    title.textContent = text("transfer.title", { number: ticket.number });
    transferChoices(transferSelect, lobby.queues, ticket.service);
  },
  onConfirm(token) {
    const number = lobby.tickets.get(token)?.number;
    actions.act(
      token,
      () => post(ticketUrl(token, "transfer"), { service: transferSelect.value }),
      (successor) => {
        show(
          text("transfer.done", {
            number,
            queue: `${successor.service.prefix} · ${localName(successor.service)}`,
          }),
          "info",
        );
        // The successor keeps the original issue time, so it has waited just as long. Whether
        // it is over time in its new queue comes with the socket's change.
        const ticket = lobby.tickets.get(token) ?? { token };
        live.putTicket({ token, status: "transferred" });
        live.putTicket({
          ...ticket,
          token: successor.token,
          service: successor.service.prefix,
          status: successor.status,
          counter: successor.counter,
          recall_count: successor.recall_count,
          actions: successor.actions,
          over_time: false,
          over_time_at: null,
        });
      },
    );
  },
});

board.querySelector("#tickets tbody").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  const token = button?.closest("tr").dataset.token;
  if (!lobby.tickets.has(token)) return;
  if (button.dataset.action === "cancel") cancelDialog.ask(token);
  else if (button.dataset.action === "transfer") transferDialog.ask(token);
});

board.querySelector("#counters").addEventListener("click", (event) => {
  const button = event.target.closest('button[data-action="toggle"]');
  if (!button) return;
  const number = Number(button.closest("li").dataset.counter);
  const counter = lobby.counters.find((candidate) => candidate.number === number);
  actions.act(
    number,
    () => post(counterUrl(branchCode, number, counter.is_open ? "close" : "open")),
    (answer) => {
      // A closed counter has no teller; the socket's change names whoever opened it. A lobby
      // manager who opens one does not sit there: it stays unstaffed until a teller does.
      lobby.counters = lobby.counters.map((candidate) =>
        candidate.number !== number
          ? candidate
          : {
              ...candidate,
              is_open: answer.is_open,
              teller: answer.is_open ? candidate.teller : null,
              staffed: answer.staffed ?? (answer.is_open && answer.teller != null),
            },
      );
    },
  );
});

const issue = issueDialog(document.getElementById("issue-dialog"), { branchCode });
document.getElementById("issue-open").addEventListener("click", () => issue.open(lobby.queues));

// Start -------------------------------------------------------------------------------------

const live = liveLobby(`/ws/lobby/${encodeURIComponent(branchCode)}/`, embedded("snapshot"), {
  onUpdate(message, state) {
    lobby = state;
    render();
  },
  onStatus: connectionStatus(),
});
