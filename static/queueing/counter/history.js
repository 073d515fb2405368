// The timeline of the ticket at this counter. It is fetched again only when the ticket, its
// status or its recalls change; an action's answer brings its events along.

import { h, translations } from "../../branchsite/dom.js";
import { ticketUrl } from "../../branchsite/live.js";

const { text } = translations();

const keyOf = (ticket) =>
  ticket ? `${ticket.token}:${ticket.status}:${ticket.recall_count ?? 0}` : null;

export function ticketHistory({ list, empty, clock }) {
  let shownKey = null; // which ticket state the timeline shows

  function show(events) {
    list.replaceChildren(
      ...events.map((event) =>
        h(
          "li",
          {},
          h("time", { datetime: event.at }, clock.format(new Date(event.at))),
          " ",
          // The server words each line in the reader's language, transfers included.
          h("span", { class: "action" }, event.text),
          event.actor ? h("span", { class: "actor" }, " ", text("by", { actor: event.actor })) : "",
          event.note ? h("span", { class: "note" }, " ", event.note) : "",
        ),
      ),
    );
    empty.hidden = events.length > 0;
  }

  return {
    // The events of `ticket` as an action's answer gave them.
    answered(ticket, events) {
      shownKey = keyOf(ticket);
      show(events);
    },
    // The timeline of `ticket` (null: none), fetched unless it shows that state already.
    follow(ticket) {
      const key = keyOf(ticket);
      if (key === shownKey) return;
      shownKey = key;
      if (!ticket) {
        show([]);
        return;
      }
      fetch(ticketUrl(ticket.token, "history"), { credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((staffTicket) => {
          if (shownKey === key) show(staffTicket.events);
        })
        .catch(() => {
          // Try again with the next message rather than show a stale timeline as current.
          if (shownKey === key) shownKey = null;
        });
    },
  };
}
