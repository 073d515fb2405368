// Before a ticket is taken: whether the wait here is over the service's threshold and, if so,
// the quicker branches nearby, each with a button to take the ticket there instead. The server
// decides both (`over_threshold`, `alternatives`).

import { h, numberFormats, translations } from "../../branchsite/dom.js";
import { getJson } from "../../branchsite/live.js";

const { text: say } = translations();
const { number, distance } = numberFormats();

const $ = (id) => document.getElementById(id);

// The advice for taking a ticket of `prefix` at `branchCode`; null when there is none to give
// (no quicker branch, or it could not be asked: no reason to keep the customer from a ticket).
export async function quickerBranches(branchCode, prefix) {
  try {
    const query = new URLSearchParams({ service: prefix });
    const result = await getJson(
      `/api/branches/${encodeURIComponent(branchCode)}/alternatives/?${query}`,
    );
    const advice = result.ok ? result.body : null;
    return advice?.over_threshold && advice.alternatives.length > 0 ? advice : null;
  } catch {
    return null;
  }
}

function alternativeItem(alternative, takeThere) {
  const take = h("button", { class: "button", type: "button" }, say("take-there"));
  take.addEventListener("click", () => takeThere(alternative.code));
  return h(
    "li",
    { class: "alternative" },
    h(
      "a",
      { class: "alternative-name", href: `/branches/${encodeURIComponent(alternative.code)}/` },
      alternative.name,
    ),
    h("span", { class: "alternative-address" }, alternative.address),
    h(
      "span",
      { class: "alternative-figures" },
      say("alternative-figures", {
        distance: distance.format(alternative.distance_km),
        minutes: number.format(alternative.estimated_wait_minutes),
        waiting: number.format(alternative.waiting),
      }),
    ),
    take,
  );
}

// Shows `advice` for the service named `serviceName` in place of the ticket form;
// `takeThere(code)` takes the ticket at the branch chosen.
export function showAlternatives(advice, serviceName, takeThere) {
  $("alternatives-lead").textContent = say("alternatives-lead", {
    service: serviceName,
    minutes: number.format(advice.estimated_wait_minutes),
  });
  $("alternatives-list").replaceChildren(
    ...advice.alternatives.map((alternative) => alternativeItem(alternative, takeThere)),
  );
  $("ticket-form").hidden = true;
  $("alternatives").hidden = false;
  $("alternatives").focus();
}

export function hideAlternatives() {
  $("alternatives").hidden = true;
  $("ticket-form").hidden = false;
}
