// Shorter waits nearby: while the ticket waits longer than its service's threshold, quicker
// branches are offered. The server decides both (`over_threshold`, `alternatives`); the page
// asks on load and whenever the estimate changes: at once when it fell (the offer may no longer
// hold), otherwise at most once a minute. The wait "here" it names is always the ticket's own,
// live, never the one the last answer was asked for.

import { h, numberFormats, translations } from "../../branchsite/dom.js";
import { getJson, ticketUrl } from "../../branchsite/live.js";

const ASK_GAP_MS = 60_000;

const { text: say } = translations();
const { number, distance } = numberFormats();

function shorterItem(alternative) {
  return h(
    "li",
    { class: "ticket-shorter-item" },
    h("a", { href: `/branches/${encodeURIComponent(alternative.code)}/` }, alternative.name),
    h("span", { class: "ticket-shorter-address" }, alternative.address),
    h(
      "span",
      { class: "ticket-shorter-figures" },
      say("shorter-figures", {
        distance: distance.format(alternative.distance_km),
        minutes: number.format(alternative.estimated_wait_minutes),
        waiting: number.format(alternative.waiting),
      }),
    ),
  );
}

export function shorterWaits(token) {
  const section = document.getElementById("shorter-waits");
  let ticket = null;
  let askedAt = 0;
  let askedFor = null; // the estimate the shown advice was asked for
  let timer = null;

  function sayHere() {
    document.getElementById("shorter-lead").textContent = say("shorter-lead", {
      minutes: number.format(ticket.estimated_wait_minutes),
    });
  }

  function show(advice) {
    const offer = advice.over_threshold && advice.alternatives.length > 0;
    section.hidden = !offer;
    if (!offer) return;
    sayHere();
    document
      .getElementById("shorter-list")
      .replaceChildren(...advice.alternatives.map(shorterItem));
  }

  // The request that runs reads the ticket as it is by then.
  async function ask() {
    timer = null;
    if (ticket.status !== "waiting") return;
    askedAt = Date.now();
    askedFor = ticket.estimated_wait_minutes;
    let result;
    try {
      result = await getJson(ticketUrl(token, "alternatives"));
    } catch {
      return; // offline: the advice is a courtesy, the next change asks again
    }
    if (ticket.status !== "waiting" || !result.ok) {
      section.hidden = true;
      return;
    }
    show(result.body);
  }

  return {
    render(next) {
      ticket = next;
      if (ticket.status !== "waiting") {
        clearTimeout(timer);
        timer = null;
        section.hidden = true;
        return;
      }
      if (!section.hidden) sayHere();
      if (ticket.estimated_wait_minutes === askedFor) return;
      const fell = askedFor !== null && ticket.estimated_wait_minutes < askedFor;
      if (fell) {
        clearTimeout(timer);
        timer = setTimeout(ask, 0);
      } else if (timer === null) {
        timer = setTimeout(ask, Math.max(0, askedAt + ASK_GAP_MS - Date.now()));
      }
    },
  };
}
