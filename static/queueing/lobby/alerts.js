// The alerts: every waiting ticket that is over time now, as the tickets table flags it (the
// server's `over_time`, or its `over_time_at` passed since), longest waiting first, with its
// number, queue and wait. They render with the waits (lobby.js), so an alert appears at its
// ticket's moment without a message, and leaves once the ticket is called, cancelled or
// transferred.

import { h, reconcileChildren, translations } from "../../branchsite/dom.js";
import { localName } from "../../branchsite/live.js";
import { isOverTime, waitedNow } from "./clock.js";
import { byIssueTime } from "./tickets.js";

const { phrase, text } = translations();

function alertItem(ticket, queue) {
  return h(
    "li",
    { "data-token": ticket.token },
    h("span", { class: "number", "data-role": "number" }, ticket.number),
    h(
      "span",
      { class: "alert-queue" },
      h("span", { class: "prefix small" }, ticket.service),
      h("span", { class: "service-name" }, queue ? localName(queue) : ""),
    ),
    h(
      "span",
      { class: "alert-waited" },
      ...phrase("alerts.waited", {
        minutes: h("span", { "data-role": "waited" }, String(waitedNow(ticket))),
      }),
    ),
  );
}

export function renderAlerts(board, lobby) {
  const overTime = [...lobby.tickets.values()]
    .filter((ticket) => ticket.status === "waiting" && isOverTime(ticket))
    .sort(byIssueTime);
  const queueOf = (prefix) => lobby.queues.find((queue) => queue.prefix === prefix);
  reconcileChildren(
    board.querySelector("#alerts .alert-items"),
    overTime.map((ticket) => alertItem(ticket, queueOf(ticket.service))),
  );
  board.querySelector('[data-role="alerts-empty"]').hidden = overTime.length > 0;
  const count = board.querySelector('[data-role="alerts-count"]');
  count.hidden = !overTime.length;
  count.textContent = text("queue.over-time", { count: overTime.length });
}
