// The strip of queue cards: waiting, longest wait, estimate, open counters, and how many of the
// queue's tickets are over time.

import { h, reconcileChildren, translations } from "../../branchsite/dom.js";
import { localName } from "../../branchsite/live.js";
import { queueFigures } from "./clock.js";

const { phrase, text } = translations();

// "Longest wait: 12 min", with the number in a span the tests and CSS can find by `role`.
function minutesFigure(label, role, value) {
  return h(
    "div",
    { class: "figure" },
    h("dt", {}, text(label)),
    h("dd", {}, ...phrase("minutes", { minutes: h("span", { "data-role": role }, String(value)) })),
  );
}

function queueCard(queue, lobby) {
  const { longest, overTime } = queueFigures(queue, lobby);
  return h(
    "li",
    { class: `card queue${overTime ? " is-over-time" : ""}`, "data-prefix": queue.prefix },
    h(
      "div",
      { class: "queue-head" },
      h("span", { class: "prefix" }, queue.prefix),
      h("span", { class: "queue-name" }, localName(queue)),
    ),
    h(
      "p",
      { class: "queue-waiting" },
      h("span", { "data-role": "waiting" }, String(queue.waiting)),
      h("span", { class: "unit" }, text("queue.waiting")),
      // On the line of the count rather than beside the name, where a long name left it no
      // room but to break into one letter a line.
      overTime
        ? h(
            "span",
            { class: "pill alert", "data-role": "over-time" },
            text("queue.over-time", { count: overTime }),
          )
        : "",
    ),
    h(
      "dl",
      { class: "queue-figures" },
      minutesFigure("queue.longest", "longest", longest),
      minutesFigure("queue.estimate", "estimate", queue.estimated_wait_minutes),
      h(
        "div",
        { class: "figure" },
        h("dt", {}, text("queue.counters")),
        h("dd", { "data-role": "open-counters" }, String(queue.open_counters)),
      ),
    ),
  );
}

export function renderQueues(list, lobby) {
  reconcileChildren(
    list,
    lobby.queues.map((queue) => queueCard(queue, lobby)),
  );
}
