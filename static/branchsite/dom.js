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
