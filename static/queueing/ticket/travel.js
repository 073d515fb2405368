// When to set off: the customer's travel time, remembered per ticket in localStorage (the branch
// page leaves it there when the ticket is taken), against the ticket's estimated wait.

import { numberFormats, translations } from "../../branchsite/dom.js";

const MAX_TRAVEL_MINUTES = 600;

const { text: say } = translations();
const { number } = numberFormats();

// `timeFormat` shows the customer's own clock: "leave at 10:40" is read on their phone.
export function setOffAdvice(token, timeFormat) {
  const input = document.getElementById("travel-minutes");
  const advice = document.getElementById("set-off");
  const storageKey = `branchsite:travel-minutes:${token}`;
  let ticket = null;

  function storedTravel() {
    try {
      return localStorage.getItem(storageKey);
    } catch {
      return null; // storage disabled (private mode): the field still works for this visit
    }
  }

  function travelMinutes() {
    const value = input.valueAsNumber;
    if (!Number.isFinite(value) || value < 0) return null;
    return Math.min(Math.round(value), MAX_TRAVEL_MINUTES);
  }

  function render() {
    const travel = travelMinutes();
    if (travel === null) {
      advice.textContent = say("set-off-ask");
      advice.dataset.advice = "ask";
      return;
    }
    const estimate = ticket?.estimated_wait_minutes ?? 0;
    if (estimate <= travel) {
      advice.textContent = say("set-off-now");
      advice.dataset.advice = "now";
      return;
    }
    const spare = estimate - travel;
    advice.textContent = say("set-off-later", {
      minutes: number.format(spare),
      time: timeFormat.format(new Date(Date.now() + spare * 60_000)),
    });
    advice.dataset.advice = "later";
  }

  input.value = storedTravel() ?? "";
  input.addEventListener("input", () => {
    const travel = travelMinutes();
    try {
      if (travel === null) localStorage.removeItem(storageKey);
      else localStorage.setItem(storageKey, String(travel));
    } catch {
      // Not remembered, but the advice below still follows the field.
    }
    render();
  });

  return {
    render(next) {
      ticket = next;
      render();
    },
  };
}
