// The queues this counter serves, with who waits in each and the estimate for a newcomer.

import { h, translations } from "../../branchsite/dom.js";
import { localName } from "../../branchsite/live.js";

const { phrase, text } = translations();

export function renderQueues(list, served, queues, serviceName) {
  const rows = served.map((prefix) => {
    const queue = queues.find((candidate) => candidate.prefix === prefix);
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
  list.replaceChildren(...rows);
}
