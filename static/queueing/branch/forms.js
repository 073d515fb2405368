// What the branch page's two forms (take a ticket, book an appointment) share: the service
// choices, one key per creating request, and the errors of an answer placed at their fields.

import { h, showText, translations } from "../../branchsite/dom.js";
import { idempotencyKey, localName } from "../../branchsite/live.js";

const { text: say } = translations();

// A service to choose, as a radio of group `name`; its `figures` sit under the name (the
// waits, or the appointment length) and can be updated by `[data-figures=<prefix>]`.
export function serviceOption(service, { name, figures }) {
  const id = `${name}-${service.prefix}`;
  return h(
    "div",
    { class: "service-option" },
    h("input", { type: "radio", class: "choice-input", id, name, value: service.prefix }),
    h(
      "label",
      { for: id },
      h("span", { class: "prefix", "aria-hidden": "true" }, service.prefix),
      h("span", { class: "service-option-name" }, localName(service)),
      h("span", { class: "service-option-figures", "data-figures": service.prefix }, figures),
    ),
  );
}

export const checkedValue = (container) => container.querySelector("input:checked")?.value ?? null;

// A single choice is chosen already.
export function selectOnly(container) {
  const inputs = container.querySelectorAll("input");
  if (inputs.length === 1) inputs[0].checked = true;
}

// Creating POSTs keep one key per body until it got an answer: a retry after a lost connection
// cannot take a second ticket, and a changed form gets a new key.
export function keyed() {
  let pending = null;
  return {
    key(body) {
      const json = JSON.stringify(body);
      if (pending?.json !== json) pending = { json, key: idempotencyKey() };
      return pending.key;
    },
    answered() {
      pending = null;
    },
  };
}

// An error answer's `errors` shown at the fields they name (`fields`: name → error element),
// its `detail` in `general`. Whether any field got one.
export function fieldErrors(body, fields, general) {
  let placed = false;
  for (const [name, messages] of Object.entries(body?.errors ?? {})) {
    const element = fields[name];
    if (element) {
      showText(element, [].concat(messages).join(" "));
      placed = true;
    }
  }
  showText(general, body?.detail ?? say("failed"));
  return placed;
}
