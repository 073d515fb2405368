// The appointment picker the branch page (booking) and the appointment page (rescheduling)
// share: a service's bookable days as a row of choices, then the chosen day's slots with the
// places left, full ones disabled.
//
// Dates are the branch's local dates ("YYYY-MM-DD"), computed as UTC dates so that no device time
// zone can move them by a day; slot times are shown on the branch's clock.

import { branchClock, h } from "../branchsite/dom.js";
import { getJson } from "../branchsite/live.js";

const DAY_MS = 86_400_000;

function utcDate(isoDate) {
  const [year, month, day] = isoDate.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day));
}

export function addDays(isoDate, days) {
  return new Date(utcDate(isoDate).getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

// 0 = Monday … 6 = Sunday, as the API's opening hours count them.
export function weekdayOf(isoDate) {
  return (utcDate(isoDate).getUTCDay() + 6) % 7;
}

// A local date written out in the page language, e.g. `{ dateStyle: "full" }`.
export function formatDay(isoDate, options, locale = document.documentElement.lang) {
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" }).format(utcDate(isoDate));
}

// The days a service can be booked: those of the server's booking window (`{first_day,
// last_day}`, both included; none without a window) on which the branch opens.
export function bookableDays(bookingWindow, openWeekdays) {
  const days = [];
  if (!bookingWindow) return days;
  for (let day = bookingWindow.first_day; day <= bookingWindow.last_day; day = addDays(day, 1)) {
    if (openWeekdays.has(weekdayOf(day))) days.push(day);
  }
  return days;
}

export const slotsUrl = (branchCode, prefix, day) =>
  `/api/branches/${encodeURIComponent(branchCode)}/slots/?${new URLSearchParams({
    service: prefix,
    date: day,
  })}`;

// A picker inside `root`, which holds `[data-role=days]`, `[data-role=slots]` and
// `[data-role=slot-status]`. `say(key, values)` gives the translated words: "today",
// "tomorrow", "places-one", "places-other" ({count}), "full", "current", "loading",
// "no-slots", "all-full", "load-failed".
export function slotPicker({
  root,
  name,
  branchCode,
  timeZone,
  today,
  say,
  onChange = () => {},
  currentStart = null,
}) {
  const language = document.documentElement.lang;
  const daysBox = root.querySelector("[data-role=days]");
  const slotsBox = root.querySelector("[data-role=slots]");
  const status = root.querySelector("[data-role=slot-status]");
  const clock = branchClock(timeZone, language);
  const plural = new Intl.PluralRules(language);
  const numberFormat = new Intl.NumberFormat(language);
  const current = currentStart ? new Date(currentStart).getTime() : null;

  let prefix = null;
  let day = null;
  let slots = [];
  let selected = null; // the chosen slot's `start`, exactly as the API wrote it
  let request = 0; // answers to an older request are dropped

  function setStatus(key, values) {
    status.textContent = key ? say(key, values) : "";
    status.hidden = !key;
    status.dataset.kind = key ?? "";
  }

  function choose(start) {
    selected = start;
    onChange(start ? slots.find((slot) => slot.start === start) : null);
  }

  function dayOption(isoDate, index) {
    const id = `${name}-day-${isoDate}`;
    const offset = Math.round((utcDate(isoDate) - utcDate(today)) / DAY_MS);
    const top =
      offset === 0
        ? say("today")
        : offset === 1
          ? say("tomorrow")
          : formatDay(isoDate, { weekday: "short" });
    const input = h("input", {
      type: "radio",
      id,
      name: `${name}-day`,
      value: isoDate,
      class: "choice-input",
      "aria-label": formatDay(isoDate, { dateStyle: "full" }),
      checked: isoDate === day || (day === null && index === 0),
    });
    input.addEventListener("change", () => loadDay(isoDate));
    return h(
      "div",
      { class: "day-option" },
      input,
      h(
        "label",
        { for: id },
        h("span", { class: "day-option-top" }, top),
        h("span", { class: "day-option-date" }, formatDay(isoDate, { day: "numeric" })),
        h("span", { class: "day-option-month" }, formatDay(isoDate, { month: "short" })),
      ),
    );
  }

  function slotOption(slot) {
    const id = `${name}-slot-${new Date(slot.start).getTime()}`;
    const isCurrent = current !== null && new Date(slot.start).getTime() === current;
    const full = slot.remaining <= 0;
    const places = isCurrent
      ? say("current")
      : full
        ? say("full")
        : say(plural.select(slot.remaining) === "one" ? "places-one" : "places-other", {
            count: numberFormat.format(slot.remaining),
          });
    const input = h("input", {
      type: "radio",
      id,
      name: `${name}-slot`,
      value: slot.start,
      class: "choice-input",
      disabled: full || isCurrent,
      checked: slot.start === selected,
    });
    input.addEventListener("change", () => choose(slot.start));
    return h(
      "div",
      { class: "slot-option", "data-full": full ? "" : null },
      input,
      h(
        "label",
        { for: id },
        h("span", { class: "slot-option-time" }, clock.format(new Date(slot.start))),
        h("span", { class: "slot-option-places" }, places),
      ),
    );
  }

  async function loadDay(isoDate, { keepSelection = false } = {}) {
    day = isoDate;
    const mine = ++request;
    const previous = keepSelection ? selected : null;
    if (!keepSelection) {
      slots = [];
      slotsBox.replaceChildren();
    }
    choose(null);
    slotsBox.setAttribute("aria-busy", "true");
    setStatus("loading");
    let result;
    try {
      result = await getJson(slotsUrl(branchCode, prefix, isoDate));
    } catch {
      result = { ok: false, body: null };
    }
    if (mine !== request) return;
    slotsBox.removeAttribute("aria-busy");
    if (!result.ok) {
      slots = [];
      slotsBox.replaceChildren();
      status.textContent = result.body?.detail ?? say("load-failed");
      status.hidden = false;
      status.dataset.kind = "error";
      return;
    }
    slots = result.body;
    const stillFree = slots.find((slot) => slot.start === previous && slot.remaining > 0);
    selected = stillFree ? previous : null;
    slotsBox.replaceChildren(...slots.map(slotOption));
    if (slots.length === 0) setStatus("no-slots");
    else if (slots.every((slot) => slot.remaining <= 0)) setStatus("all-full");
    else setStatus(null);
    choose(selected);
  }

  return {
    // Shows the days of `service` (a prefix) and loads the first one.
    show(servicePrefix, days) {
      prefix = servicePrefix;
      day = days.includes(day) ? day : (days[0] ?? null);
      daysBox.replaceChildren(...days.map(dayOption));
      if (day) loadDay(day);
      else {
        slotsBox.replaceChildren();
        setStatus("no-slots");
        choose(null);
      }
    },
    // The current day again, after a slot filled up under the customer.
    reload: () => (day ? loadDay(day, { keepSelection: true }) : Promise.resolve()),
    get selected() {
      return selected;
    },
    get day() {
      return day;
    },
  };
}
