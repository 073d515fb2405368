// The branch, live: open or closed, today's hours, the notice, umbrellas, each queue's waiting
// and estimate, and the week's opening hours. The page starts from the branch it embedded and
// refreshes it from the API while visible.

import {
  allDay,
  branchNow,
  deviceClock,
  h,
  hoursOn,
  numberFormats,
  reconcileChildren,
  showText,
  translations,
  weekdayName,
} from "../../branchsite/dom.js";
import { getJson, localName, refreshWhileVisible } from "../../branchsite/live.js";
import { openingText, todayText } from "../branch_state.js";

const REFRESH_MS = 20_000;

const { text: say } = translations();
const { number, plural } = numberFormats();
const clock = deviceClock();

const $ = (id) => document.getElementById(id);

// `branch` as the page embedded it; `onRender(branch)` runs after each render, for the figures
// other parts of the page show.
export function branchWaits(branch, { onRender = () => {} } = {}) {
  let updatedAt = new Date();
  let updateFailed = false;

  // "3 waiting · about 15 min", as the figures of a queue and of a service to choose.
  function waitFigures(service) {
    const waiting =
      service.waiting === 0
        ? say("no-queue")
        : say("waiting", { count: number.format(service.waiting) });
    if (!branch.is_open || service.waiting === 0) return waiting;
    if (service.open_counters === 0) return `${waiting} · ${say("counters-none")}`;
    const estimate =
      service.estimated_wait_minutes === 0
        ? say("estimate-none")
        : say("estimate", { minutes: number.format(service.estimated_wait_minutes) });
    return `${waiting} · ${estimate}`;
  }

  function waitItem(service) {
    // The server says whether a newcomer's wait is over the service's threshold.
    const long = branch.is_open && service.over_threshold;
    return h(
      "li",
      { class: "wait-item", "data-long": long ? "" : null },
      h("span", { class: "prefix", "aria-hidden": "true" }, service.prefix),
      h("span", { class: "wait-name" }, localName(service)),
      h("span", { class: "wait-figures" }, waitFigures(service)),
    );
  }

  function renderHours() {
    const { weekday: today } = branchNow(branch.time_zone);
    const rows = [0, 1, 2, 3, 4, 5, 6].map((weekday) => {
      const hours = hoursOn(branch.opening_hours, weekday);
      const words =
        hours.length === 0
          ? say("hours-closed")
          : hours.some(allDay)
            ? say("hours-all-day")
            : hours.map((span) => `${span.opens}–${span.closes}`).join(", ");
      const isToday = weekday === today;
      return h(
        "tr",
        { class: isToday ? "is-today" : null, "aria-current": isToday ? "date" : null },
        h(
          "th",
          { scope: "row" },
          weekdayName(weekday),
          isToday ? h("span", { class: "today-tag" }, say("today")) : "",
        ),
        h("td", { "data-closed": hours.length === 0 ? "" : null }, words),
      );
    });
    reconcileChildren($("hours"), rows);
  }

  function render() {
    const badge = $("open-badge");
    badge.hidden = false;
    badge.className = `pill ${branch.is_open ? "open" : "closed"}`;
    badge.textContent = say(branch.is_open ? "open" : "closed");
    $("today-hours").textContent = branch.is_open
      ? todayText(branch, say)
      : openingText(branch, say) || todayText(branch, say);
    showText($("peak-notice"), branch.peak_notice ? String(branch.peak_notice) : "");
    const umbrellas = branch.umbrellas_available;
    showText(
      $("umbrellas"),
      umbrellas === null || umbrellas === undefined
        ? ""
        : say(plural.select(umbrellas) === "one" ? "umbrellas-one" : "umbrellas-other", {
            count: number.format(umbrellas),
          }),
    );
    const items = branch.services.map(waitItem);
    if (items.length === 0) items.push(h("li", { class: "wait-item" }, say("no-services")));
    // Only the rows that changed, so the live region announces what changed and no more.
    reconcileChildren($("waits"), items);
    const updated = $("updated");
    updated.textContent = say(updateFailed ? "update-failed" : "updated", {
      time: clock.format(updatedAt),
    });
    updated.dataset.failed = updateFailed ? "true" : "false";
    renderHours();
    onRender(branch);
  }

  async function refresh() {
    let result;
    try {
      result = await getJson(`/api/branches/${encodeURIComponent(branch.code)}/`);
    } catch {
      result = { ok: false };
    }
    if (result.ok) {
      branch = result.body;
      updatedAt = new Date();
      updateFailed = false;
    } else {
      updateFailed = true;
    }
    render();
  }

  return {
    get branch() {
      return branch;
    },
    serviceOf: (prefix) => branch.services.find((service) => service.prefix === prefix),
    waitFigures,
    // Renders the branch now, then keeps it fresh.
    start() {
      render();
      refreshWhileVisible(refresh, REFRESH_MS);
    },
  };
}
