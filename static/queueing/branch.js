// One branch: its live queues and hours (./branch/waits.js), and the customer's two choices,
// taking a ticket now (./branch/take_ticket.js, with the advice of ./branch/advice.js before a
// long wait) or booking an appointment (./branch/booking.js).

import { embedded } from "../branchsite/live.js";
import { bookingForm } from "./branch/booking.js";
import { ticketForm } from "./branch/take_ticket.js";
import { branchWaits } from "./branch/waits.js";

const data = embedded("branch-data");
const chooseTicket = document.getElementById("choose-ticket");
const chooseBook = document.getElementById("choose-book");

// One panel at a time; "#book" in the address opens the booking, e.g. from a link.
function choose(which) {
  const booking = which === "book";
  chooseTicket.setAttribute("aria-expanded", String(!booking));
  chooseBook.setAttribute("aria-expanded", String(booking));
  document.getElementById("ticket-panel").hidden = booking;
  document.getElementById("book-panel").hidden = !booking;
  history.replaceState(history.state, "", booking ? "#book" : location.pathname + location.search);
}

chooseTicket.addEventListener("click", () => choose("ticket"));
chooseBook.addEventListener("click", () => choose("book"));
// The page renders before its modules load: the choices wait, disabled, for their handlers, so
// an early tap is not lost.
chooseTicket.disabled = chooseBook.disabled = false;

const waits = branchWaits(data.branch, { onRender: (branch) => tickets.render(branch) });
const tickets = ticketForm(waits);
bookingForm(data.branch, data);

waits.start();
if (location.hash === "#book") choose("book");
