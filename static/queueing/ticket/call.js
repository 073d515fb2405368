// The call: when the ticket is called, and again at each recall, a full-screen alert rings,
// vibrates and says which counter to go to. A reconnect must not ring again; a recall must.

import { numberFormats, translations } from "../../branchsite/dom.js";
import { playChime } from "../chime.js";

const CALL_VIBRATION = [300, 150, 300];

const { text: say } = translations();
const { number } = numberFormats();

export function callAlert() {
  const overlay = document.getElementById("called-overlay");
  const dismiss = document.getElementById("dismiss-called");
  let alertedRecall = null; // the recall count of the call last alerted

  function alertCall(ticket) {
    overlay.querySelector("[data-role=number]").textContent = ticket.number;
    const counter = number.format(ticket.counter);
    document.getElementById("called-counter").textContent = say("called-counter", { counter });
    document.getElementById("called-again").hidden = ticket.recall_count === 0;
    overlay.hidden = false;
    dismiss.focus();
    playChime();
    // Browsers refuse to vibrate for a page the customer has not touched yet.
    if (navigator.vibrate && navigator.userActivation?.hasBeenActive !== false) {
      navigator.vibrate(CALL_VIBRATION);
    }
  }

  function dismissCall() {
    overlay.hidden = true;
    document.getElementById("ticket-number").focus();
  }

  dismiss.addEventListener("click", dismissCall);
  overlay.addEventListener("keydown", (event) => {
    if (event.key === "Escape") dismissCall();
  });

  return {
    render(ticket) {
      if (ticket.status === "called") {
        if (alertedRecall !== ticket.recall_count) {
          alertedRecall = ticket.recall_count;
          alertCall(ticket);
        }
      } else if (!overlay.hidden) {
        overlay.hidden = true;
      }
    },
  };
}
