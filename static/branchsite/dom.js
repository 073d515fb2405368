// Small DOM helpers the live pages share: building elements, the words a template translated for
// the script, and times on the branch's clock.

// A new element: `h("li", { "data-prefix": "A" }, child, "text", …)`. An attribute that is false,
// null or undefined is left out; true sets it empty (`disabled: true` → disabled="").
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== false && value != null) element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children);
  return element;
}

// The words a template translated for its script, which a template cannot hand over as a dict:
// the elements with `data-<attribute>` inside the element `id` (a <template> or a hidden element),
// by that attribute's value. Returns
// - `strings`: key → text,
// - `phrase(key, values)`: the text split at its {placeholders}, each filled from `values` (a
//   string or a DOM node, for `h`/`append`); an unknown key gives the key itself,
// - `text(key, values)`: the same joined into one string.
export function translations(id, attribute = "key") {
  const holder = document.getElementById(id);
  const root = holder.content ?? holder;
  const strings = Object.fromEntries(
    [...root.querySelectorAll(`[data-${attribute}]`)].map((element) => [
      element.getAttribute(`data-${attribute}`),
      element.textContent.trim(),
    ]),
  );
  function phrase(key, values = {}) {
    return (strings[key] ?? key)
      .split(/(\{\w+\})/)
      .filter(Boolean)
      .map((part) => {
        const name = part.match(/^\{(\w+)\}$/)?.[1];
        return name && name in values ? values[name] : part;
      });
  }
  const text = (key, values) => phrase(key, values).join("");
  return { strings, phrase, text };
}

// "09:05" on the branch's clock (its `time_zone`), whatever the time zone of the device showing
// it. Use `.format(date)`.
export function branchClock(timeZone, locale = document.documentElement.lang) {
  return new Intl.DateTimeFormat(locale, {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone,
  });
}

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

// Now (or `at`) on the branch's clock: its ISO date, its weekday (0 = Monday … 6 = Sunday, as
// the API's opening hours count them) and the minutes since its midnight.
export function branchNow(timeZone, at = new Date()) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAYS.indexOf(parts.weekday),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

const minutesOf = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

// A branch's opening hours (the API's `opening_hours`) of one weekday, earliest first.
export function hoursOn(openingHours, weekday) {
  return openingHours
    .filter((hours) => hours.weekday === weekday)
    .sort((a, b) => a.opens.localeCompare(b.opens));
}

// The branch's next opening after now, on its clock: `{ days, weekday, opens }` with `days` 0 for
// later today, 1 for tomorrow…; null for a branch without opening hours.
export function nextOpening(openingHours, timeZone, at = new Date()) {
  const now = branchNow(timeZone, at);
  for (let days = 0; days <= 7; days += 1) {
    const weekday = (now.weekday + days) % 7;
    const hours = hoursOn(openingHours, weekday).find(
      (hours) => days > 0 || minutesOf(hours.opens) > now.minutes,
    );
    if (hours) return { days, weekday, opens: hours.opens };
  }
  return null;
}

// "00:00"–"23:59": open around the clock.
export const allDay = (hours) => hours.opens === "00:00" && hours.closes >= "23:59";

// The page language's name of a weekday (0 = Monday): "Monday", "星期一"; `style` "short" gives
// "Mon", "周一".
export function weekdayName(weekday, style = "long", locale = document.documentElement.lang) {
  const aMonday = Date.UTC(2024, 0, 1);
  return new Intl.DateTimeFormat(locale, { weekday: style, timeZone: "UTC" }).format(
    new Date(aMonday + weekday * 86_400_000),
  );
}
