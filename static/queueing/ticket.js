// The customer's ticket, live: place in the queue, estimated wait, when to set off, the call.
//
// It renders the ticket embedded in the page, then follows /ws/tickets/<token>/. A change that
// carries no ticket only moves the version on (another queue of the branch changed). When the
// ticket is called, and again at each recall, a full-screen alert rings, vibrates and says which
// counter to go to. While it waits longer than the service's threshold, quicker branches nearby
// are offered; once it is done, the customer may rate the visit, once.

import { h, translations } from "../branchsite/dom.js";
import {
  connectionStatus,
  embedded,
  followLobby,
  getJson,
  localName,
  post,
  ticketUrl,
} from "../branchsite/live.js";
import { audioContext, playChime, watchSound } from "./chime.js";

const MAX_TRAVEL_MINUTES = 600;
const CALL_VIBRATION = [300, 150, 300];
const ALTERNATIVES_GAP_MS = 60_000; // the advice is asked at most once a minute
const MAX_COMMENT = 500;

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
  shorter: document.getElementById("shorter-waits"),
  shorterLead: document.getElementById("shorter-lead"),
  shorterList: document.getElementById("shorter-list"),
  rating: document.getElementById("rating"),
  ratingForm: document.getElementById("rating-form"), // absent once rated
  ratingWord: document.getElementById("rating-word"),
  ratingComment: document.getElementById("rating-comment"),
  ratingCount: document.getElementById("rating-count"),
  ratingError: document.getElementById("rating-error"),
  ratingSubmit: document.getElementById("rating-submit"),
  ratingGiven: document.getElementById("rating-given"),
};

// "{counter}" and friends in a translated string, filled with localised values.
const { text: say } = translations("ticket-strings", "string");

const numberFormat = new Intl.NumberFormat(language);
const distanceFormat = new Intl.NumberFormat(language, {
  style: "unit",
  unit: "kilometer",
  maximumFractionDigits: 1,
});
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
  renderRating();
  considerAlternatives();

  if (ticket.status === "called") {
    if (alertedRecall !== ticket.recall_count) {
      alertedRecall = ticket.recall_count;
      alertCall();
    }
  } else if (!page.overlay.hidden) {
    page.overlay.hidden = true;
  }
}

// Shorter waits nearby ------------------------------------------------------------------------

let alternativesAskedAt = 0;
let alternativesFor = null; // the estimate the shown advice was asked for
let alternativesTimer = null;

// On load and whenever the estimate changes, at most once a minute; the request that runs reads
// the ticket as it is by then.
function considerAlternatives() {
  if (ticket.status !== "waiting") {
    clearTimeout(alternativesTimer);
    alternativesTimer = null;
    page.shorter.hidden = true;
    return;
  }
  if (ticket.estimated_wait_minutes === alternativesFor || alternativesTimer !== null) return;
  const delay = Math.max(0, alternativesAskedAt + ALTERNATIVES_GAP_MS - Date.now());
  alternativesTimer = setTimeout(askForAlternatives, delay);
}

async function askForAlternatives() {
  alternativesTimer = null;
  if (ticket.status !== "waiting") return;
  alternativesAskedAt = Date.now();
  alternativesFor = ticket.estimated_wait_minutes;
  let result;
  try {
    result = await getJson(ticketUrl(token, "alternatives"));
  } catch {
    return; // offline: the advice is a courtesy, the next change asks again
  }
  if (ticket.status !== "waiting" || !result.ok) {
    page.shorter.hidden = true;
    return;
  }
  renderAlternatives(result.body);
}

function shorterItem(alternative) {
  return h(
    "li",
    { class: "ticket-shorter-item" },
    h("a", { href: `/branches/${encodeURIComponent(alternative.code)}/` }, alternative.name),
    h("span", { class: "ticket-shorter-address" }, alternative.address),
    h(
      "span",
      { class: "ticket-shorter-figures" },
      say("shorter-figures", {
        distance: distanceFormat.format(alternative.distance_km),
        minutes: numberFormat.format(alternative.estimated_wait_minutes),
        waiting: numberFormat.format(alternative.waiting),
      }),
    ),
  );
}

function renderAlternatives(advice) {
  const offer = advice.over_threshold && advice.alternatives.length > 0;
  page.shorter.hidden = !offer;
  if (!offer) return;
  page.shorterLead.textContent = say("shorter-lead", {
    minutes: numberFormat.format(advice.estimated_wait_minutes),
  });
  page.shorterList.replaceChildren(...advice.alternatives.map(shorterItem));
}

// Rating --------------------------------------------------------------------------------------

const plural = new Intl.PluralRules(language);
let ratedHere = null; // {stars, comment} sent from this page: a late snapshot cannot undo it

function renderRating() {
  const given = ticket.rating !== null && ticket.rating !== undefined
    ? { stars: ticket.rating, comment: ticket.rating_comment }
    : ratedHere;
  page.rating.hidden = ticket.status !== "done" && !given;
  if (given) {
    if (page.ratingForm) page.ratingForm.hidden = true;
    showRating(given);
  } else if (page.ratingForm) {
    page.ratingForm.hidden = false;
    page.ratingGiven.hidden = true;
  }
}

function showRating({ stars, comment }) {
  const starsBox = page.ratingGiven.querySelector("[data-role=stars]");
  starsBox.replaceChildren(
    ...[1, 2, 3, 4, 5].map((value) => h("span", { class: value <= stars ? "on" : "off" }, "★")),
  );
  page.ratingGiven.querySelector("[data-role=stars-words]").textContent = say(
    plural.select(stars) === "one" ? "rating-stars-one" : "rating-stars-other",
    { stars: numberFormat.format(stars) },
  );
  const commentBox = page.ratingGiven.querySelector("[data-role=comment]");
  commentBox.textContent = comment ?? "";
  commentBox.hidden = !comment;
  page.ratingGiven.hidden = false;
}

function chosenStars() {
  return Number(page.ratingForm.querySelector("input[name=stars]:checked")?.value ?? 0);
}

function renderRatingForm() {
  const stars = chosenStars();
  page.ratingWord.textContent = stars ? say(`rating-words-${stars}`) : "";
  page.ratingCount.textContent = say("rating-count", {
    count: numberFormat.format(page.ratingComment.value.length),
  });
}

function showRatingError(text) {
  page.ratingError.textContent = text;
  page.ratingError.hidden = !text;
}

if (page.ratingForm) {
  page.ratingComment.maxLength = MAX_COMMENT;
  page.ratingForm.addEventListener("change", () => {
    showRatingError("");
    renderRatingForm();
  });
  page.ratingComment.addEventListener("input", renderRatingForm);
  page.ratingForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const stars = chosenStars();
    if (!stars) {
      showRatingError(say("rating-choose"));
      page.ratingForm.querySelector("input[name=stars]").focus();
      return;
    }
    const comment = page.ratingComment.value.trim().slice(0, MAX_COMMENT);
    showRatingError("");
    page.ratingSubmit.disabled = true;
    page.ratingSubmit.textContent = say("rating-sending");
    try {
      const result = await post(ticketUrl(token, "rating"), { stars, comment });
      if (result.ok) {
        ratedHere = { stars, comment };
        render(result.body);
        page.ratingGiven.focus();
      } else if (result.body?.code === "already_rated") {
        // Rated from another tab or device: show that rating instead of asking again.
        const current = await getJson(`/api/tickets/${encodeURIComponent(token)}/`);
        if (current.ok) render(current.body);
        else showRatingError(result.body.detail);
      } else {
        showRatingError(result.body?.detail ?? say("rating-failed"));
      }
    } catch {
      showRatingError(say("offline"));
    } finally {
      page.ratingSubmit.disabled = false;
      page.ratingSubmit.textContent = say("rating-send");
    }
  });
  renderRatingForm();
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
