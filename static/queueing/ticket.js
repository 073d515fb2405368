// The customer's ticket, live: place in the queue, estimated wait, when to set off, the call.
//
// It renders the ticket embedded in the page, then follows /ws/tickets/<token>/. A change that
// carries no ticket only moves the version on (another queue of the branch changed). When the
// ticket is called, and again at each recall, a full-screen alert rings, vibrates and says which
// counter to go to.

import { translations } from "../branchsite/dom.js";
import {
  connectionStatus,
  embedded,
  followLobby,
  localName,
  post,
  ticketUrl,
} from "../branchsite/live.js";
import { audioContext, playChime, watchSound } from "./chime.js";

const MAX_TRAVEL_MINUTES = 600;
const CALL_VIBRATION = [300, 150, 300];

const initial = embedded("snapshot");
const token = initial.ticket.token;
const language = document.documentElement.lang;

const page = {
  number: document.getElementById("ticket-number"),
  prefix: document.querySelector(".ticket-stub [data-role=prefix]"),
  service: document.querySelector(".ticket-stub [data-role=service]"),
  status: document.getElementById("ticket-status"),
  issued: document.getElementById("ticket-issued"),
  progress: document.getElementById("progress"),
  position: document.getElementById("position"),
  estimate: document.getElementById("estimate"),
  travel: document.getElementById("travel"),
  travelMinutes: document.getElementById("travel-minutes"),
  setOff: document.getElementById("set-off"),
  message: document.getElementById("status-message"),
  transferred: document.getElementById("transferred"),
  transferredLink: document.getElementById("transferred-link"),
  alert: document.getElementById("ticket-alert"),
  cancel: document.getElementById("cancel"),
  enableSound: document.getElementById("enable-sound"),
  overlay: document.getElementById("called-overlay"),
  overlayNumber: document.querySelector("#called-overlay [data-role=number]"),
  calledAgain: document.getElementById("called-again"),
  calledCounter: document.getElementById("called-counter"),
  dismissCalled: document.getElementById("dismiss-called"),
};

// "{counter}" and friends in a translated string, filled with localised values.
const { text: say } = translations("ticket-strings", "string");

const numberFormat = new Intl.NumberFormat(language);
// The customer's own clock: "leave at 10:40" is read on their phone, where they are.
const timeFormat = new Intl.DateTimeFormat(language, { hour: "numeric", minute: "2-digit" });

let ticket = initial.ticket;

// Travel time, remembered per ticket ----------------------------------------------------------

const travelKey = `branchsite:travel-minutes:${token}`;

function storedTravel() {
  try {
    return localStorage.getItem(travelKey);
  } catch {
    return null; // storage disabled (private mode): the field still works for this visit
  }
}

function travelMinutes() {
  const value = page.travelMinutes.valueAsNumber;
  if (!Number.isFinite(value) || value < 0) return null;
  return Math.min(Math.round(value), MAX_TRAVEL_MINUTES);
}

function renderSetOff() {
  const travel = travelMinutes();
  if (travel === null) {
    page.setOff.textContent = say("set-off-ask");
    page.setOff.dataset.advice = "ask";
    return;
  }
  const estimate = ticket.estimated_wait_minutes ?? 0;
  if (estimate <= travel) {
    page.setOff.textContent = say("set-off-now");
    page.setOff.dataset.advice = "now";
    return;
  }
  const spare = estimate - travel;
  page.setOff.textContent = say("set-off-later", {
    minutes: numberFormat.format(spare),
    time: timeFormat.format(new Date(Date.now() + spare * 60_000)),
  });
  page.setOff.dataset.advice = "later";
}

page.travelMinutes.value = storedTravel() ?? "";
page.travelMinutes.addEventListener("input", () => {
  const travel = travelMinutes();
  try {
    if (travel === null) localStorage.removeItem(travelKey);
    else localStorage.setItem(travelKey, String(travel));
  } catch {
    // Not remembered, but the advice below still follows the field.
  }
  renderSetOff();
});

// The call ------------------------------------------------------------------------------------

// The recall count of the call last alerted: a reconnect must not ring again, a recall must.
let alertedRecall = null;

function alertCall() {
  page.overlayNumber.textContent = ticket.number;
  const counter = numberFormat.format(ticket.counter);
  page.calledCounter.textContent = say("called-counter", { counter });
  page.calledAgain.hidden = ticket.recall_count === 0;
  page.overlay.hidden = false;
  page.dismissCalled.focus();
  playChime();
  // Browsers refuse to vibrate for a page the customer has not touched yet.
  if (navigator.vibrate && navigator.userActivation?.hasBeenActive !== false) {
    navigator.vibrate(CALL_VIBRATION);
  }
}

function dismissCall() {
  page.overlay.hidden = true;
  page.number.focus();
}

page.dismissCalled.addEventListener("click", dismissCall);
page.overlay.addEventListener("keydown", (event) => {
  if (event.key === "Escape") dismissCall();
});

// Rendering -----------------------------------------------------------------------------------

const messageFor = {
  serving: "message-serving",
  done: "message-done",
  no_show: "message-no_show",
  cancelled: "message-cancelled",
  expired: "message-expired",
};

function positionText(position) {
  return position === null ? "" : say("position", { position: numberFormat.format(position) });
}

function estimateText(minutes) {
  if (minutes === null) return "";
  if (minutes === 0) return say("estimate-now");
  return say("estimate", { minutes: numberFormat.format(minutes) });
}

function render(next) {
  ticket = next;
  const waiting = ticket.status === "waiting";
  const counter = ticket.counter === null ? "" : numberFormat.format(ticket.counter);

  page.number.textContent = ticket.number;
  page.prefix.textContent = ticket.service.prefix;
  page.service.textContent = localName(ticket.service);
  page.status.dataset.status = ticket.status;
  page.status.textContent = say(`status-${ticket.status}`, { counter });
  page.issued.textContent = say("issued", { time: timeFormat.format(new Date(ticket.issued_at)) });

  page.progress.hidden = !waiting;
  page.travel.hidden = !waiting;
  page.position.textContent = positionText(ticket.position);
  page.estimate.textContent = estimateText(ticket.estimated_wait_minutes);
  renderSetOff();

  const messageKey = messageFor[ticket.status];
  page.message.hidden = !messageKey;
  page.message.textContent = messageKey ? say(messageKey, { counter }) : "";
  page.transferred.hidden = !(ticket.status === "transferred" && ticket.transferred_to);
  if (ticket.transferred_to) {
    page.transferredLink.href = `/t/${encodeURIComponent(ticket.transferred_to)}/`;
  }

  page.cancel.hidden = !waiting;
  renderSoundOffer();

  if (ticket.status === "called") {
    if (alertedRecall !== ticket.recall_count) {
      alertedRecall = ticket.recall_count;
      alertCall();
    }
  } else if (!page.overlay.hidden) {
    page.overlay.hidden = true;
  }
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
const showStatus = connectionStatus();

showStatus("connecting");
render(initial.ticket);
followLobby(`/ws/tickets/${encodeURIComponent(token)}/`, {
  version: initial.version,
  onSnapshot: (snapshot) => render(snapshot.ticket),
  onChange(change) {
    if (change.ticket) render(change.ticket);
  },
  onStatus: showStatus,
});
