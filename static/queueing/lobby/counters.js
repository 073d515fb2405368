// The list of counters: open or closed, the queues each serves, its ticket and teller, and the
// manager's button to open or close it.

import { h, reconcileChildren, translations } from "../../branchsite/dom.js";

const { text } = translations();

function counterItem(counter, busy) {
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
        disabled: busy(counter.number),
      },
      text(open ? "counter.close-action" : "counter.open-action"),
    ),
  );
}

// `busy(number)`: that counter's opening or closing is on its way.
export function renderCounters(board, lobby, busy) {
  reconcileChildren(
    board.querySelector("#counters"),
    lobby.counters.map((counter) => counterItem(counter, busy)),
  );
  const open = lobby.counters.filter((counter) => counter.is_open).length;
  board.querySelector('[data-role="counters-count"]').textContent = text("counters.count", {
    open,
    all: lobby.counters.length,
  });
}
