// Taking a ticket from afar: the service, the travel time (left in localStorage for the ticket
// page, which says when to set off) and an optional phone. A long wait first offers quicker
// branches nearby (./advice.js); the customer chooses between them and staying.

import { showText, translations } from "../../branchsite/dom.js";
import { localName, post } from "../../branchsite/live.js";
import { hideAlternatives, quickerBranches, showAlternatives } from "./advice.js";
import {
  checkedValue,
  clearFieldErrors,
  fieldErrors,
  keyed,
  selectOnly,
  serviceOption,
  showFieldError,
} from "./forms.js";

const MAX_TRAVEL_MINUTES = 600;

const { text: say } = translations();

const $ = (id) => document.getElementById(id);
const page = {
  closedNotice: $("closed-notice"),
  form: $("ticket-form"),
  services: $("ticket-services"),
  serviceError: $("ticket-service-error"),
  travel: $("ticket-travel"),
  phone: $("ticket-phone"),
  phoneError: $("ticket-phone-error"),
  error: $("ticket-error"),
  submit: $("ticket-submit"),
  alternativesList: $("alternatives-list"),
  alternativesError: $("alternatives-error"),
  stayHere: $("stay-here"),
  alternativesBack: $("alternatives-back"),
};

const keys = keyed();

function travelMinutes() {
  const value = page.travel.valueAsNumber;
  if (!Number.isFinite(value) || value < 0) return null;
  return Math.min(Math.round(value), MAX_TRAVEL_MINUTES);
}

function busy(words) {
  const alternatives = page.alternativesList.querySelectorAll("button");
  for (const button of [page.submit, page.stayHere, ...alternatives]) {
    button.disabled = Boolean(words);
  }
  page.submit.textContent = words || say("take");
  page.form.setAttribute("aria-busy", words ? "true" : "false");
}

function clearErrors() {
  clearFieldErrors([page.error, page.phoneError, page.serviceError, page.alternativesError]);
}

async function takeTicket(branchCode, prefix, errorBox) {
  const body = { branch: branchCode, service: prefix };
  const phone = page.phone.value.trim();
  if (phone) body.phone = phone;
  busy(say("taking"));
  let result;
  try {
    result = await post("/api/tickets/", body, { "Idempotency-Key": keys.key(body) });
  } catch {
    showText(errorBox, say("offline"));
    busy(null);
    return;
  }
  keys.answered();
  if (result.ok) {
    const token = result.body.token;
    const travel = travelMinutes();
    if (travel !== null) {
      try {
        localStorage.setItem(`branchsite:travel-minutes:${token}`, String(travel));
      } catch {
        // Storage disabled: the ticket page asks for the travel time again.
      }
    }
    location.assign(`/t/${encodeURIComponent(token)}/`);
    return;
  }
  busy(null);
  if (result.body?.code === "invalid_phone") {
    // The number is corrected in the form: back to it from the quicker branches, if they showed.
    hideAlternatives();
    showFieldError(page.phoneError, result.body.detail);
    return;
  }
  if (Object.keys(result.body?.errors ?? {}).includes("phone")) hideAlternatives();
  fieldErrors(result.body, { phone: page.phoneError }, errorBox);
}

// The ticket form of the branch that `waits` (./waits.js) keeps live.
export function ticketForm(waits) {
  const code = waits.branch.code;
  let chosenPrefix = null;

  function takeThere(branchCode) {
    clearErrors();
    takeTicket(branchCode, chosenPrefix, page.alternativesError);
  }

  page.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const prefix = checkedValue(page.services);
    if (!prefix) {
      page.serviceError.hidden = false;
      page.services.querySelector("input")?.focus();
      return;
    }
    chosenPrefix = prefix;
    if (waits.branch.is_open) {
      busy(say("checking"));
      const advice = await quickerBranches(code, prefix);
      busy(null);
      if (advice) {
        const service = waits.serviceOf(prefix);
        showAlternatives(advice, service ? localName(service) : prefix, takeThere);
        return;
      }
    }
    takeTicket(code, prefix, page.error);
  });

  page.stayHere.addEventListener("click", () => takeThere(code));
  page.alternativesBack.addEventListener("click", () => {
    hideAlternatives();
    page.submit.focus();
  });

  // Priority is given at the branch, where staff see who is entitled: never taken from afar.
  const remote = waits.branch.services.filter((service) => !service.is_priority);
  $("ticket-priority-note").hidden = remote.length === waits.branch.services.length;
  page.services.replaceChildren(
    ...remote.map((service) =>
      serviceOption(service, { name: "ticket-service", figures: waits.waitFigures(service) }),
    ),
  );
  selectOnly(page.services);

  return {
    // The live figures, after each refresh of the branch.
    render(branch) {
      page.closedNotice.hidden = branch.is_open;
      for (const figures of page.services.querySelectorAll("[data-figures]")) {
        const service = waits.serviceOf(figures.dataset.figures);
        if (service) figures.textContent = waits.waitFigures(service);
      }
    },
  };
}
