// The counters: open and staffed, open with nobody at it ("unstaffed": it calls nobody), or
// closed; the queues each serves, its ticket and teller, and the manager's button to open or
// close it.

import { h, reconcileChildren, translations } from "../../branchsite/dom.js";

const { text } = translations();

// Whether a teller sits at the open counter, as the server says (`staffed`); a snapshot from
// before it said so counts an open counter with a teller.
export function isStaffed(counter) {
  return counter.staffed ?? (counter.is_open && counter.teller != null);
}

// "open", "unstaffed" or "closed": the counter's pill, its class and its word.
function counterState(counter) {
  if (!counter.is_open) return "closed";
  return isStaffed(counter) ? "open" : "unstaffed";
}

function counterItem(counter, busy) {
  const state = counterState(counter);
  const ticket = counter.ticket;
  return h(
    "li",
    { "data-counter": counter.number, class: `counter is-${state}` },
    h("span", { class: "counter-number" }, String(counter.number)),
    h(
      "p",
      { class: "counter-state" },
      h("span", { class: `pill ${state}`, "data-role": "state" }, text(`counter.${state}`)),
      ticket
        ? h(
            "span",
            { class: "counter-ticket", "data-role": "ticket" },
            `${ticket.number} · ${text(`status.${ticket.status}`)}`,
          )
        : "",
    ),
    h(
      "p",
      { class: "counter-work" },
      h(
        "span",
        { class: "counter-services" },
        ...counter.services.map((prefix) => h("span", { class: "prefix small" }, prefix)),
      ),
      counter.teller ? h("span", { class: "teller" }, counter.teller) : "",
    ),
    h(
      "button",
      {
        class: "button",
        type: "button",
        "data-action": "toggle",
        "aria-label": text(counter.is_open ? "counter.close-label" : "counter.open-label", {
          n: counter.number,
        }),
        disabled: busy(counter.number),
      },
      text(counter.is_open ? "counter.close-action" : "counter.open-action"),
    ),
  );
}

// `busy(number)`: that counter's opening or closing is on its way. "2 of 4 open" counts the
// counters that call: open and staffed.
export function renderCounters(board, lobby, busy) {
  reconcileChildren(
    board.querySelector("#counters"),
    lobby.counters.map((counter) => counterItem(counter, busy)),
  );
  board.querySelector('[data-role="counters-count"]').textContent = text("counters.count", {
    open: lobby.counters.filter(isStaffed).length,
    all: lobby.counters.length,
  });
}
