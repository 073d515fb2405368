// The table of today's active tickets, oldest first, with the manager's actions the server offers
// on each (`actions`: cancel, transfer).

import { h, reconcileChildren, translations } from "../../branchsite/dom.js";
import { localName } from "../../branchsite/live.js";
import { isOverTime, waitedNow } from "./clock.js";

const { phrase, text } = translations();

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

// The board's buttons, in this order, for those of the server's `actions` the ticket offers.
const ROW_ACTIONS = [
  ["transfer", ""],
  ["cancel", "quiet-danger"],
];

function actionsCell(ticket, busy) {
  const offered = new Set(ticket.actions ?? []);
  const disabled = busy(ticket.token);
  return h(
    "td",
    { class: "row-actions" },
    ...ROW_ACTIONS.filter(([action]) => offered.has(action)).map(([action, style]) =>
      h(
        "button",
        { class: `button ${style}`, type: "button", "data-action": action, disabled },
        text(`action.${action}`),
      ),
    ),
  );
}

function ticketRow(ticket, queue, busy) {
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
      // A wrapper lays out the badge and the name: a flex cell would leave the table's grid.
      h(
        "span",
        { class: "service-label" },
        h("span", { class: "prefix small" }, ticket.service),
        h("span", { class: "service-name" }, queue ? localName(queue) : ""),
      ),
    ),
    statusCell(ticket),
    waitedCell(ticket),
    actionsCell(ticket, busy),
  );
}

// Oldest first: the order of the table and of the alerts.
export const byIssueTime = (a, b) =>
  Date.parse(a.issued_at) - Date.parse(b.issued_at) || a.number.localeCompare(b.number);

// `busy(token)`: an action on that ticket is on its way, so its buttons wait.
export function renderTickets(board, lobby, busy) {
  const tickets = [...lobby.tickets.values()].sort(byIssueTime);
  const queueOf = (prefix) => lobby.queues.find((queue) => queue.prefix === prefix);
  reconcileChildren(
    board.querySelector("#tickets tbody"),
    tickets.map((ticket) => ticketRow(ticket, queueOf(ticket.service), busy)),
  );
  const waiting = tickets.filter((ticket) => ticket.status === "waiting").length;
  board.querySelector('[data-role="tickets-count"]').textContent = text("tickets.count", {
    count: waiting,
  });
  board.querySelector('[data-role="tickets-empty"]').hidden = tickets.length > 0;
}
