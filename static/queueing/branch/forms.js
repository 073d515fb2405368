// What the branch page's two forms (take a ticket, book an appointment) share: the service
// choices, one key per creating request, and errors shown at their fields, each field scrolled
// into view and focused.

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

// The input an error element belongs to: the one whose aria-describedby names it, so that a
// screen reader reads the error with the field.
const fieldOf = (errorElement) =>
  document.querySelector(`[aria-describedby~="${CSS.escape(errorElement.id)}"]`);

// Brings the field of `errorElement` before the customer: its label, input and error in the
// middle of the screen (a phone shows only part of the form), and the input focused.
export function focusField(errorElement) {
  const input = fieldOf(errorElement);
  if (!input) return;
  (input.closest(".field") ?? input).scrollIntoView({ block: "center" });
  input.focus({ preventScroll: true });
}

// `message` at the field of `errorElement`, marked invalid and, unless `focus` is false (a form
// that finds several errors brings only the first), brought before the customer.
export function showFieldError(errorElement, message, { focus = true } = {}) {
  showText(errorElement, message);
  fieldOf(errorElement)?.setAttribute("aria-invalid", "true");
  if (focus) focusField(errorElement);
}

// Hides the errors `elements` and unmarks their fields.
export function clearFieldErrors(elements) {
  for (const element of elements) {
    element.hidden = true;
    fieldOf(element)?.removeAttribute("aria-invalid");
  }
}

// An error answer's `errors` shown at the fields they name (`fields`: name → error element), the
// first of those fields brought before the customer; its `detail` in `general` when no field
// got one. Whether any field got one.
export function fieldErrors(body, fields, general) {
  const placed = [];
  for (const [name, messages] of Object.entries(body?.errors ?? {})) {
    const element = fields[name];
    if (element) {
      showText(element, [].concat(messages).join(" "));
      fieldOf(element)?.setAttribute("aria-invalid", "true");
      placed.push(element);
    }
  }
  if (placed.length > 0) {
    // The form's order, not the answer's: the customer is taken to the first field to fix.
    placed.sort((a, b) =>
      a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1,
    );
    focusField(placed[0]);
    return true;
  }
  showText(general, body?.detail ?? say("failed"));
  return false;
}
