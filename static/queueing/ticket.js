// The customer's ticket, live: place in the queue, estimated wait, when to set off
// (./ticket/travel.js), the call (./ticket/call.js), quicker branches nearby while the wait is
// long (./ticket/shorter.js), texts while the page is closed (./ticket/notify.js) and, once
// served, the rating (./ticket/rating.js).
//
// It renders the ticket embedded in the page, then follows /ws/tickets/<token>/. A change that
// carries no ticket only moves the version on (another queue of the branch changed).

import { deviceClock, numberFormats, translations } from "../branchsite/dom.js";
import {
  connectionStatus,
  embedded,
  liveLobby,
  localName,
  post,
  ticketUrl,
} from "../branchsite/live.js";
import { audioContext, watchSound } from "./chime.js";
import { callAlert } from "./ticket/call.js";
import { notifyPanel } from "./ticket/notify.js";
import { ratingPanel } from "./ticket/rating.js";
import { shorterWaits } from "./ticket/shorter.js";
import { setOffAdvice } from "./ticket/travel.js";

const initial = embedded("snapshot");
const token = initial.ticket.token;
const { text: say } = translations();
const { number } = numberFormats();
// The customer's own clock: "taken at 10:05" and "leave at 10:40" are read on their phone.
const timeFormat = deviceClock();

const $ = (id) => document.getElementById(id);
const page = {
  number: $("ticket-number"),
  prefix: document.querySelector(".ticket-stub [data-role=prefix]"),
  service: document.querySelector(".ticket-stub [data-role=service]"),
  status: $("ticket-status"),
  issued: $("ticket-issued"),
  progress: $("progress"),
  position: $("position"),
  estimate: $("estimate"),
  travel: $("travel"),
  message: $("status-message"),
  transferred: $("transferred"),
  transferredLink: $("transferred-link"),
  alert: $("ticket-alert"),
  newTicket: $("new-ticket"),
  cancel: $("cancel"),
  enableSound: $("enable-sound"),
};

const setOff = setOffAdvice(token, timeFormat);
const call = callAlert();
const shorter = shorterWaits(token);
const rating = ratingPanel(token, { onRated: render });
const notify = notifyPanel(token, { onChange: render });

let ticket = initial.ticket;

// Rendering -----------------------------------------------------------------------------------

// Over: a new ticket is taken on the branch's page.
const FINISHED = new Set(["done", "no_show", "cancelled", "expired"]);

const messageFor = {
  serving: "message-serving",
  done: "message-done",
  no_show: "message-no_show",
  cancelled: "message-cancelled",
  expired: "message-expired",
};

function positionText(position) {
  return position === null ? "" : say("position", { position: number.format(position) });
}

function estimateText(minutes) {
  if (minutes === null) return "";
  if (minutes === 0) return say("estimate-now");
  return say("estimate", { minutes: number.format(minutes) });
}

function render(next) {
  ticket = next;
  const waiting = ticket.status === "waiting";
  const counter = ticket.counter === null ? "" : number.format(ticket.counter);

  page.number.textContent = ticket.number;
  page.prefix.textContent = ticket.service.prefix;
  page.service.textContent = localName(ticket.service);
  page.status.dataset.status = ticket.status;
  page.status.textContent = say(`status-${ticket.status}`, { counter });
  const issued = timeFormat.format(new Date(ticket.issued_at));
  const called = ticket.called_at && timeFormat.format(new Date(ticket.called_at));
  page.issued.textContent = called
    ? say("issued-called", { time: issued, called })
    : say("issued", { time: issued });

  page.progress.hidden = !waiting;
  // Only a ticket taken from afar has a journey ahead: a kiosk's, the lobby manager's or a
  // checked-in appointment's holder is in the branch already.
  page.travel.hidden = !waiting || ticket.channel !== "remote";
  page.position.textContent = positionText(ticket.position);
  page.estimate.textContent = estimateText(ticket.estimated_wait_minutes);
  setOff.render(ticket);

  const messageKey = messageFor[ticket.status];
  page.message.hidden = !messageKey;
  page.message.textContent = messageKey ? say(messageKey, { counter }) : "";
  page.transferred.hidden = !(ticket.status === "transferred" && ticket.transferred_to);
  if (ticket.transferred_to) {
    page.transferredLink.href = `/t/${encodeURIComponent(ticket.transferred_to)}/`;
  }

  page.cancel.hidden = !ticket.can_cancel;
  page.newTicket.hidden = !FINISHED.has(ticket.status);
  page.newTicket.classList.toggle("primary", !ticket.can_rate); // the rating is asked first
  renderSoundOffer();
  rating.render(ticket);
  notify.render(ticket);
  shorter.render(ticket);
  call.render(ticket);
}

// Cancelling ----------------------------------------------------------------------------------

function showAlert(text) {
  page.alert.textContent = text;
  page.alert.hidden = !text;
}

page.cancel.addEventListener("click", async () => {
  if (!window.confirm(say("cancel-confirm"))) return;
  showAlert("");
  page.cancel.disabled = true;
  try {
    const result = await post(ticketUrl(token, "cancel"));
    if (result.ok) render(result.body);
    else showAlert(result.body?.detail ?? say("cancel-failed"));
  } catch {
    showAlert(say("offline"));
  } finally {
    page.cancel.disabled = false;
  }
});

// Sound, connection ---------------------------------------------------------------------------

// Phones keep sound off until the customer touches the page; any touch will do. The offer is
// only made while a call can still come.
let soundRunning = false;

function renderSoundOffer() {
  page.enableSound.hidden = soundRunning || !["waiting", "called"].includes(ticket.status);
}

function allowSound() {
  audioContext()?.resume();
}
watchSound((running) => {
  soundRunning = running;
  renderSoundOffer();
});
page.enableSound.addEventListener("click", allowSound);
document.addEventListener("pointerdown", allowSound, { once: true });

// The indicator keeps the template's "Reconnecting…".
liveLobby(`/ws/tickets/${encodeURIComponent(token)}/`, initial, {
  onUpdate(message) {
    if (message.ticket) render(message.ticket);
  },
  onStatus: connectionStatus(),
});
