// Small DOM helpers the pages share: building and updating elements, the words a template
// translated for the scripts, and times on the branch's clock.

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

// Replaces only the children of `parent` that differ from `children`: a row re-rendered under a
// finger would swallow its tap, and a live region would announce what did not change.
export function reconcileChildren(parent, children) {
  children.forEach((child, index) => {
    const current = parent.children[index];
    if (!current) parent.append(child);
    else if (!current.isEqualNode(child)) current.replaceWith(child);
  });
  while (parent.children.length > children.length) parent.lastElementChild.remove();
}

// Shows `words` in `element`, or hides it when there are none.
export function showText(element, words) {
  element.textContent = words ?? "";
  element.hidden = !words;
}

// The words a template translated for its scripts, which a template cannot hand over as a dict.
// Every page does it one way: `<template id="strings">` holding one element per string,
// `<span data-key="status.waiting">{% translate "Waiting" %}</span>`. Read once per page, so
// each module of a page may ask. Returns
// - `strings`: key → text,
// - `phrase(key, values)`: the text split at its {placeholders}, each filled from `values` (a
//   string or a DOM node, for `h`/`append`); an unknown key gives the key itself,
// - `text(key, values)`: the same joined into one string.
let pageWords = null;

export function translations() {
  pageWords ??= readTranslations();
  return pageWords;
}

function readTranslations() {
  const holder = document.getElementById("strings");
  const strings = Object.fromEntries(
    [...holder.content.querySelectorAll("[data-key]")].map((element) => [
      element.dataset.key,
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

// Numbers in the page's language: `number.format(1234)` "1,234", `distance.format(1.25)`
// "1.3 km", and `plural.select(n)` to choose between a string's "-one" and "-other" keys.
export function numberFormats(locale = document.documentElement.lang) {
  return {
    number: new Intl.NumberFormat(locale),
    distance: new Intl.NumberFormat(locale, {
      style: "unit",
      unit: "kilometer",
      maximumFractionDigits: 1,
    }),
    plural: new Intl.PluralRules(locale),
  };
}

// "09:05" on the branch's clock (its `time_zone`), whatever the time zone of the device showing
// it. Use `.format(date)`. Always the 24-hour clock, in English too ("14:30", never "2:30 PM"):
// the clock of the branch's counters, its tickets and its opening hours.
export function branchClock(timeZone, locale = document.documentElement.lang) {
  return new Intl.DateTimeFormat(locale, {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone,
  });
}

// "14:30" on the device's own clock, for what the customer reads against their phone: when the
// figures were updated, when to set off. The same 24-hour form as `branchClock`.
export function deviceClock(locale = document.documentElement.lang) {
  return branchClock(undefined, locale);
}

// An amount of money as a bank's customer reads it, grouped in thousands with its two decimals:
// "CNY 80,000.00" in English, "80,000.00 元" in Chinese (another currency by its Chinese name,
// "1,000.00 美元"). `amount` is a number or the API's decimal string.
export function formatMoney(amount, currency, locale = document.documentElement.lang) {
  const value = Number(amount);
  if (!Number.isFinite(value)) return `${amount} ${currency}`;
  try {
    if (!locale.startsWith("zh")) {
      return new Intl.NumberFormat(locale, {
        style: "currency",
        currency,
        currencyDisplay: "code",
      }).format(value);
    }
    const figures = new Intl.NumberFormat(locale, {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    }).format(value);
    const unit =
      currency === "CNY"
        ? "元"
        : new Intl.NumberFormat(locale, { style: "currency", currency, currencyDisplay: "name" })
            .formatToParts(value)
            .find((part) => part.type === "currency").value;
    return `${figures} ${unit}`;
  } catch {
    return `${amount} ${currency}`; // a currency code this browser does not know
  }
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
