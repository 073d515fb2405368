// One branch: its live queues and hours, and the customer's two choices, taking a ticket now or
// booking an appointment.
//
// Taking a ticket first asks whether the wait is over the service's threshold; if quicker
// branches are near, the customer chooses between them and staying. The travel time they give is
// left in localStorage for the ticket page, which says when to set off. Booking walks through
// service, day, time and details; a slot that fills up meanwhile is reloaded with its news.

import { allDay, branchNow, h, hoursOn, translations, weekdayName } from "../branchsite/dom.js";
import {
  embedded,
  getJson,
  idempotencyKey,
  localName,
  post,
  refreshWhileVisible,
} from "../branchsite/live.js";
import { openingText, todayText } from "./branch_state.js";
import { bookableDays, formatDay, slotPicker } from "./slots.js";

const REFRESH_MS = 20_000;
const MAX_TRAVEL_MINUTES = 600;

const data = embedded("branch-data");
const code = data.branch.code;
const timeZone = data.branch.time_zone;
const language = document.documentElement.lang;
const { text: say } = translations("branch-strings", "string");

const $ = (id) => document.getElementById(id);
const page = {
  openBadge: $("open-badge"),
  todayHours: $("today-hours"),
  peakNotice: $("peak-notice"),
  umbrellas: $("umbrellas"),
  waits: $("waits"),
  updated: $("updated"),
  hours: $("hours"),
  chooseTicket: $("choose-ticket"),
  chooseBook: $("choose-book"),
  ticketPanel: $("ticket-panel"),
  bookPanel: $("book-panel"),
  closedNotice: $("closed-notice"),
  ticketForm: $("ticket-form"),
  ticketServices: $("ticket-services"),
  ticketServiceError: $("ticket-service-error"),
  travel: $("ticket-travel"),
  ticketPhone: $("ticket-phone"),
  ticketPhoneError: $("ticket-phone-error"),
  ticketError: $("ticket-error"),
  ticketSubmit: $("ticket-submit"),
  alternatives: $("alternatives"),
  alternativesLead: $("alternatives-lead"),
  alternativesList: $("alternatives-list"),
  alternativesError: $("alternatives-error"),
  stayHere: $("stay-here"),
  alternativesBack: $("alternatives-back"),
  noBookings: $("no-bookings"),
  bookForm: $("book-form"),
  bookServices: $("book-services"),
  cashAhead: $("cash-ahead"),
  bookWhen: $("book-when"),
  bookDetails: $("book-details"),
  bookPhone: $("book-phone"),
  bookPhoneError: $("book-phone-error"),
  bookName: $("book-name"),
  bookNameError: $("book-name-error"),
  cashFields: $("cash-fields"),
  amount: $("book-amount"),
  amountError: $("book-amount-error"),
  currency: $("book-currency"),
  summary: $("book-summary"),
  bookError: $("book-error"),
  bookSubmit: $("book-submit"),
};

const numberFormat = new Intl.NumberFormat(language);
const distanceFormat = new Intl.NumberFormat(language, {
  style: "unit",
  unit: "kilometer",
  maximumFractionDigits: 1,
});
const clock = new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit" });
const plural = new Intl.PluralRules(language);

let branch = data.branch;
let updatedAt = new Date();
let updateFailed = false;

const serviceOf = (prefix) => branch.services.find((service) => service.prefix === prefix);

function showText(element, words) {
  element.textContent = words ?? "";
  element.hidden = !words;
}

// The branch, live ------------------------------------------------------------------------------



function waitFigures(service) {
  const waiting =
    service.waiting === 0
      ? say("no-queue")
      : say("waiting", { count: numberFormat.format(service.waiting) });
  if (!branch.is_open || service.waiting === 0) return waiting;
  if (service.open_counters === 0) return `${waiting} · ${say("counters-none")}`;
  const estimate =
    service.estimated_wait_minutes === 0
      ? say("estimate-none")
      : say("estimate", { minutes: numberFormat.format(service.estimated_wait_minutes) });
  return `${waiting} · ${estimate}`;
}

function waitItem(service) {
  const long =
    branch.is_open && service.estimated_wait_minutes > service.overtime_threshold_minutes;
  return h(
    "li",
    { class: "wait-item", "data-long": long ? "" : null },
    h("span", { class: "prefix", "aria-hidden": "true" }, service.prefix),
    h("span", { class: "wait-name" }, localName(service)),
    h("span", { class: "wait-figures" }, waitFigures(service)),
  );
}

// Replaces only the rows that differ, so the live region announces what changed and no more.
function reconcile(parent, children) {
  children.forEach((child, index) => {
    const current = parent.children[index];
    if (!current) parent.append(child);
    else if (!current.isEqualNode(child)) current.replaceWith(child);
  });
  while (parent.children.length > children.length) parent.lastElementChild.remove();
}

function renderHours() {
  const { weekday: today } = branchNow(timeZone);
  const rows = [0, 1, 2, 3, 4, 5, 6].map((weekday) => {
    const hours = hoursOn(branch.opening_hours, weekday);
    const words =
      hours.length === 0
        ? say("hours-closed")
        : hours.some(allDay)
          ? say("hours-all-day")
          : hours.map((span) => `${span.opens}–${span.closes}`).join(", ");
    const isToday = weekday === today;
    return h(
      "tr",
      { class: isToday ? "is-today" : null, "aria-current": isToday ? "date" : null },
      h(
        "th",
        { scope: "row" },
        weekdayName(weekday),
        isToday ? h("span", { class: "today-tag" }, say("today")) : "",
      ),
      h("td", { "data-closed": hours.length === 0 ? "" : null }, words),
    );
  });
  reconcile(page.hours, rows);
}

function renderBranch() {
  page.openBadge.hidden = false;
  page.openBadge.className = `pill ${branch.is_open ? "open" : "closed"}`;
  page.openBadge.textContent = say(branch.is_open ? "open" : "closed");
  page.todayHours.textContent = branch.is_open
    ? todayText(branch, say)
    : openingText(branch, say) || todayText(branch, say);
  showText(page.peakNotice, branch.peak_notice ? String(branch.peak_notice) : "");
  const umbrellas = branch.umbrellas_available;
  showText(
    page.umbrellas,
    umbrellas === null || umbrellas === undefined
      ? ""
      : say(plural.select(umbrellas) === "one" ? "umbrellas-one" : "umbrellas-other", {
          count: numberFormat.format(umbrellas),
        }),
  );
  const items = branch.services.map(waitItem);
  if (items.length === 0) items.push(h("li", { class: "wait-item" }, say("no-services")));
  reconcile(page.waits, items);
  page.updated.textContent = say(updateFailed ? "update-failed" : "updated", {
    time: clock.format(updatedAt),
  });
  page.updated.dataset.failed = updateFailed ? "true" : "false";
  renderHours();
  page.closedNotice.hidden = branch.is_open;
  for (const figures of page.ticketServices.querySelectorAll("[data-figures]")) {
    const service = serviceOf(figures.dataset.figures);
    if (service) figures.textContent = waitFigures(service);
  }
}

async function refresh() {
  let result;
  try {
    result = await getJson(`/api/branches/${encodeURIComponent(code)}/`);
  } catch {
    result = { ok: false };
  }
  if (result.ok) {
    branch = result.body;
    updatedAt = new Date();
    updateFailed = false;
  } else {
    updateFailed = true;
  }
  renderBranch();
}

// The two choices -------------------------------------------------------------------------------

// One panel at a time; "#book" in the address opens the booking, e.g. from a link.
function choose(which) {
  const booking = which === "book";
  page.chooseTicket.setAttribute("aria-expanded", String(!booking));
  page.chooseBook.setAttribute("aria-expanded", String(booking));
  page.ticketPanel.hidden = booking;
  page.bookPanel.hidden = !booking;
  history.replaceState(history.state, "", booking ? "#book" : location.pathname + location.search);
}

page.chooseTicket.addEventListener("click", () => choose("ticket"));
page.chooseBook.addEventListener("click", () => choose("book"));

// Service choices, shared by both forms.
function serviceOption(service, { name, figures }) {
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

const checkedValue = (container) => container.querySelector("input:checked")?.value ?? null;

function selectOnly(container) {
  const inputs = container.querySelectorAll("input");
  if (inputs.length === 1) inputs[0].checked = true;
}

// Creating POSTs keep one key per body until it got an answer: a retry after a lost connection
// cannot take a second ticket, and a changed form gets a new key.
function keyed() {
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

function fieldErrors(body, fields, general) {
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

// Take a ticket ---------------------------------------------------------------------------------

const ticketKeys = keyed();

function travelMinutes() {
  const value = page.travel.valueAsNumber;
  if (!Number.isFinite(value) || value < 0) return null;
  return Math.min(Math.round(value), MAX_TRAVEL_MINUTES);
}

function ticketBusy(words) {
  const alternatives = page.alternativesList.querySelectorAll("button");
  const buttons = [page.ticketSubmit, page.stayHere, ...alternatives];
  for (const button of buttons) button.disabled = Boolean(words);
  page.ticketSubmit.textContent = words || say("take");
  page.ticketForm.setAttribute("aria-busy", words ? "true" : "false");
}

function clearTicketErrors() {
  for (const element of [
    page.ticketError,
    page.ticketPhoneError,
    page.ticketServiceError,
    page.alternativesError,
  ]) {
    element.hidden = true;
  }
}

async function takeTicket(branchCode, prefix, errorBox) {
  const body = { branch: branchCode, service: prefix };
  const phone = page.ticketPhone.value.trim();
  if (phone) body.phone = phone;
  ticketBusy(say("taking"));
  let result;
  try {
    result = await post("/api/tickets/", body, { "Idempotency-Key": ticketKeys.key(body) });
  } catch {
    showText(errorBox, say("offline"));
    ticketBusy(null);
    return;
  }
  ticketKeys.answered();
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
  ticketBusy(null);
  if (result.body?.code === "invalid_phone") {
    showText(page.ticketPhoneError, result.body.detail);
    if (errorBox === page.ticketError) page.ticketPhone.focus();
    else showText(errorBox, result.body.detail);
    return;
  }
  fieldErrors(result.body, { phone: page.ticketPhoneError }, errorBox);
}

function alternativeItem(alternative, prefix) {
  const take = h("button", { class: "button", type: "button" }, say("take-there"));
  take.addEventListener("click", () => {
    clearTicketErrors();
    takeTicket(alternative.code, prefix, page.alternativesError);
  });
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
        distance: distanceFormat.format(alternative.distance_km),
        minutes: numberFormat.format(alternative.estimated_wait_minutes),
        waiting: numberFormat.format(alternative.waiting),
      }),
    ),
    take,
  );
}

let chosenPrefix = null;

function showAlternatives(advice, prefix) {
  const service = serviceOf(prefix);
  page.alternativesLead.textContent = say("alternatives-lead", {
    service: service ? localName(service) : prefix,
    minutes: numberFormat.format(advice.estimated_wait_minutes),
  });
  page.alternativesList.replaceChildren(
    ...advice.alternatives.map((alternative) => alternativeItem(alternative, prefix)),
  );
  page.ticketForm.hidden = true;
  page.alternatives.hidden = false;
  page.alternatives.focus();
}

function hideAlternatives() {
  page.alternatives.hidden = true;
  page.ticketForm.hidden = false;
}

page.ticketForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearTicketErrors();
  const prefix = checkedValue(page.ticketServices);
  if (!prefix) {
    page.ticketServiceError.hidden = false;
    page.ticketServices.querySelector("input")?.focus();
    return;
  }
  chosenPrefix = prefix;
  if (branch.is_open) {
    ticketBusy(say("checking"));
    let advice = null;
    try {
      const url = `/api/branches/${encodeURIComponent(code)}/alternatives/?${new URLSearchParams({
        service: prefix,
      })}`;
      const result = await getJson(url);
      if (result.ok) advice = result.body;
    } catch {
      advice = null; // no advice is no reason to keep the customer from their ticket
    }
    ticketBusy(null);
    if (advice?.over_threshold && advice.alternatives.length > 0) {
      showAlternatives(advice, prefix);
      return;
    }
  }
  takeTicket(code, prefix, page.ticketError);
});

page.stayHere.addEventListener("click", () => {
  clearTicketErrors();
  takeTicket(code, chosenPrefix, page.alternativesError);
});
page.alternativesBack.addEventListener("click", () => {
  hideAlternatives();
  page.ticketSubmit.focus();
});

page.ticketServices.replaceChildren(
  ...branch.services.map((service) =>
    serviceOption(service, { name: "ticket-service", figures: waitFigures(service) }),
  ),
);
selectOnly(page.ticketServices);

// Book an appointment ---------------------------------------------------------------------------

const bookKeys = keyed();
const bookable = branch.services.filter((service) => service.takes_appointments);
const openWeekdays = new Set(branch.opening_hours.map((hours) => hours.weekday));
const dateFormat = { weekday: "long", month: "long", day: "numeric" };
let bookService = null;
let detailsShown = false;

const picker = slotPicker({
  root: page.bookWhen,
  name: "book",
  branchCode: code,
  timeZone,
  today: data.today,
  say,
  onChange(slot) {
    if (slot) {
      detailsShown = true;
      page.bookDetails.hidden = false;
      page.bookSubmit.hidden = false;
      page.bookError.hidden = true;
    }
    renderSummary(slot);
  },
});

function renderSummary(slot) {
  if (!slot || !bookService) {
    page.summary.hidden = true;
    return;
  }
  const start = new Date(slot.start);
  showText(
    page.summary,
    say("summary", {
      service: localName(bookService),
      date: formatDay(picker.day, dateFormat),
      time: new Intl.DateTimeFormat(language, {
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZone,
      }).format(start),
    }),
  );
}

function bookFigures(service) {
  const minutes = say("slot-minutes", {
    minutes: numberFormat.format(service.appointment_slot_minutes),
  });
  return service.reserves_cash ? `${minutes} · ${say("book-ahead")}` : minutes;
}

function chooseBookService(prefix) {
  bookService = bookable.find((service) => service.prefix === prefix) ?? null;
  if (!bookService) return;
  const cash = bookService.reserves_cash;
  page.cashAhead.hidden = !cash;
  page.cashFields.hidden = !cash;
  page.bookWhen.hidden = false;
  picker.show(
    prefix,
    bookableDays({
      today: data.today,
      bookingDays: data.booking_days,
      reservesCash: cash,
      openWeekdays,
    }),
  );
}

function clearBookErrors() {
  for (const element of [
    page.bookError,
    page.bookPhoneError,
    page.bookNameError,
    page.amountError,
  ]) {
    element.hidden = true;
  }
}

// "50 000", "50,000.5" → "50000.50"; null when it is no amount.
function normalisedAmount(raw) {
  const compact = raw.replace(/[\s,，]/g, "");
  if (!/^\d{1,10}(\.\d{1,2})?$/.test(compact) || Number(compact) <= 0) return null;
  return Number(compact).toFixed(2);
}

function bookBusy(busy) {
  page.bookSubmit.disabled = busy;
  page.bookSubmit.textContent = say(busy ? "booking" : "book");
  page.bookForm.setAttribute("aria-busy", busy ? "true" : "false");
}

page.bookForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearBookErrors();
  if (!bookService || !picker.selected) {
    showText(page.bookError, say("choose-slot"));
    return;
  }
  const phone = page.bookPhone.value.trim();
  let invalid = null;
  if (!phone) {
    showText(page.bookPhoneError, say("phone-required"));
    invalid = page.bookPhone;
  }
  const body = {
    branch: code,
    service: bookService.prefix,
    start: picker.selected,
    phone,
    name: page.bookName.value.trim(),
  };
  if (bookService.reserves_cash) {
    const amount = normalisedAmount(page.amount.value);
    if (!amount) {
      showText(page.amountError, say("amount-required"));
      invalid ??= page.amount;
    }
    body.cash_amount = amount;
    body.cash_currency = page.currency.value;
  }
  if (invalid) {
    invalid.focus();
    return;
  }

  bookBusy(true);
  let result;
  try {
    result = await post("/api/appointments/", body, { "Idempotency-Key": bookKeys.key(body) });
  } catch {
    bookBusy(false);
    showText(page.bookError, say("offline"));
    return;
  }
  bookKeys.answered();
  if (result.ok) {
    location.assign(result.body.page_url);
    return;
  }
  bookBusy(false);
  const answer = result.body ?? {};
  if (answer.code === "slot_full") {
    showText(page.bookError, answer.detail);
    picker.reload();
    return;
  }
  if (answer.code === "invalid_phone") {
    showText(page.bookPhoneError, answer.detail);
    page.bookPhone.focus();
    return;
  }
  if (answer.code === "cash_amount_required") {
    showText(page.amountError, answer.detail);
    page.amount.focus();
    return;
  }
  fieldErrors(
    answer,
    { phone: page.bookPhoneError, name: page.bookNameError, cash_amount: page.amountError },
    page.bookError,
  );
  if (["slot_in_past", "not_a_slot", "book_a_day_ahead", "too_far_ahead"].includes(answer.code)) {
    picker.reload();
  }
});

if (bookable.length === 0) {
  page.noBookings.hidden = false;
  page.bookForm.hidden = true;
} else {
  page.bookServices.replaceChildren(
    ...bookable.map((service) =>
      serviceOption(service, { name: "book-service", figures: bookFigures(service) }),
    ),
  );
  page.bookServices.addEventListener("change", (event) => {
    clearBookErrors();
    chooseBookService(event.target.value);
  });
  page.currency.replaceChildren(
    ...data.currencies.map((currency) =>
      h("option", { value: currency.code }, `${currency.code} · ${currency.name}`),
    ),
  );
  if (bookable.length === 1) {
    selectOnly(page.bookServices);
    chooseBookService(bookable[0].prefix);
  }
}
page.bookDetails.hidden = !detailsShown;

// Start -----------------------------------------------------------------------------------------

renderBranch();
refreshWhileVisible(refresh, REFRESH_MS);
if (location.hash === "#book") choose("book");
