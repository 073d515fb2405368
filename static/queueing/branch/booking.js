// Booking an appointment: service, day, time (the slot picker of ../slots.js) and the customer's
// details, with the amount and currency for a large cash withdrawal and the text reminders
// (ticked: a customer who books a time expects to be reminded of it). A slot that fills up
// meanwhile is reloaded with its news.

import {
  branchClock,
  formatMoney,
  h,
  numberFormats,
  showText,
  translations,
} from "../../branchsite/dom.js";
import { localName, post } from "../../branchsite/live.js";
import { bookableDays, formatDay, slotPicker } from "../slots.js";
import {
  clearFieldErrors,
  fieldErrors,
  focusField,
  keyed,
  selectOnly,
  serviceOption,
  showFieldError,
} from "./forms.js";

const { text: say } = translations();
const { number } = numberFormats();

const $ = (id) => document.getElementById(id);
const page = {
  noBookings: $("no-bookings"),
  form: $("book-form"),
  services: $("book-services"),
  cashAhead: $("cash-ahead"),
  when: $("book-when"),
  details: $("book-details"),
  phone: $("book-phone"),
  phoneError: $("book-phone-error"),
  name: $("book-name"),
  nameError: $("book-name-error"),
  reminders: $("book-reminders"),
  cashFields: $("cash-fields"),
  amount: $("book-amount"),
  amountError: $("book-amount-error"),
  currency: $("book-currency"),
  summary: $("book-summary"),
  error: $("book-error"),
  submit: $("book-submit"),
};

const dateFormat = { weekday: "long", month: "long", day: "numeric" };

function bookFigures(service) {
  const minutes = say("slot-minutes", {
    minutes: number.format(service.appointment_slot_minutes),
  });
  return service.reserves_cash ? `${minutes} · ${say("book-ahead")}` : minutes;
}

function clearErrors() {
  clearFieldErrors([page.error, page.phoneError, page.nameError, page.amountError]);
}

// "80000", "80,000", "80 000", "50,000.5" → "80000.00", "50000.50" (the API's form, without
// separators); null when it is no amount.
function normalisedAmount(raw) {
  const compact = raw.replace(/[\s,，]/g, "");
  if (!/^\d{1,10}(\.\d{1,2})?$/.test(compact) || Number(compact) <= 0) return null;
  return Number(compact).toFixed(2);
}

// "80000.00" as the field shows it once typed: "80,000"; "50000.50": "50,000.50".
function groupedAmount(amount) {
  const cents = !amount.endsWith(".00");
  return new Intl.NumberFormat(document.documentElement.lang, {
    minimumFractionDigits: cents ? 2 : 0,
    maximumFractionDigits: 2,
  }).format(Number(amount));
}

function busy(isBusy) {
  page.submit.disabled = isBusy;
  page.submit.textContent = say(isBusy ? "booking" : "book");
  page.form.setAttribute("aria-busy", isBusy ? "true" : "false");
}

// The booking form of `branch` (as the page embedded it), with `data`'s `today`,
// `booking_windows` (each bookable service's first and last day, by prefix) and `currencies`.
export function bookingForm(branch, data) {
  const keys = keyed();
  const bookable = branch.services.filter((service) => service.takes_appointments);
  const openWeekdays = new Set(branch.opening_hours.map((hours) => hours.weekday));
  const timeFormat = branchClock(branch.time_zone);
  let service = null;
  let chosenSlot = null;
  let detailsShown = false;

  const picker = slotPicker({
    root: page.when,
    name: "book",
    branchCode: branch.code,
    timeZone: branch.time_zone,
    today: data.today,
    say,
    onChange(slot) {
      if (slot) {
        detailsShown = true;
        page.details.hidden = false;
        page.submit.hidden = false;
        page.error.hidden = true;
      }
      chosenSlot = slot;
      renderSummary();
    },
  });

  // What is about to be booked, the amount of a cash withdrawal as the bank will read it.
  function renderSummary() {
    if (!chosenSlot || !service) {
      page.summary.hidden = true;
      return;
    }
    const words = {
      service: localName(service),
      date: formatDay(picker.day, dateFormat),
      time: timeFormat.format(new Date(chosenSlot.start)),
    };
    const amount = service.reserves_cash ? normalisedAmount(page.amount.value) : null;
    if (amount) words.amount = formatMoney(amount, page.currency.value);
    showText(page.summary, say(amount ? "summary-cash" : "summary", words));
  }

  function chooseService(prefix) {
    service = bookable.find((candidate) => candidate.prefix === prefix) ?? null;
    if (!service) return;
    const cash = service.reserves_cash;
    page.cashAhead.hidden = !cash;
    page.cashFields.hidden = !cash;
    page.when.hidden = false;
    picker.show(prefix, bookableDays(data.booking_windows[prefix], openWeekdays));
  }

  page.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    if (!service || !picker.selected) {
      showText(page.error, say("choose-slot"));
      return;
    }
    const phone = page.phone.value.trim();
    let invalid = null;
    if (!phone) {
      showFieldError(page.phoneError, say("phone-required"), { focus: false });
      invalid = page.phoneError;
    }
    const body = {
      branch: branch.code,
      service: service.prefix,
      start: picker.selected,
      phone,
      name: page.name.value.trim(),
      reminders: page.reminders.checked,
    };
    if (service.reserves_cash) {
      const amount = normalisedAmount(page.amount.value);
      if (!amount) {
        showFieldError(page.amountError, say("amount-required"), { focus: false });
        invalid ??= page.amountError;
      }
      body.cash_amount = amount;
      body.cash_currency = page.currency.value;
    }
    if (invalid) {
      focusField(invalid);
      return;
    }

    busy(true);
    let result;
    try {
      result = await post("/api/appointments/", body, { "Idempotency-Key": keys.key(body) });
    } catch {
      busy(false);
      showText(page.error, say("offline"));
      return;
    }
    keys.answered();
    if (result.ok) {
      location.assign(result.body.page_url);
      return;
    }
    busy(false);
    const answer = result.body ?? {};
    if (answer.code === "slot_full") {
      showText(page.error, answer.detail);
      picker.reload();
      return;
    }
    if (answer.code === "invalid_phone") {
      showFieldError(page.phoneError, answer.detail);
      return;
    }
    if (answer.code === "cash_amount_required") {
      showFieldError(page.amountError, answer.detail);
      return;
    }
    fieldErrors(
      answer,
      { phone: page.phoneError, name: page.nameError, cash_amount: page.amountError },
      page.error,
    );
    if (["slot_in_past", "not_a_slot", "book_a_day_ahead", "too_far_ahead"].includes(answer.code)) {
      picker.reload();
    }
  });

  if (bookable.length === 0) {
    page.noBookings.hidden = false;
    page.form.hidden = true;
  } else {
    page.services.replaceChildren(
      ...bookable.map((candidate) =>
        serviceOption(candidate, { name: "book-service", figures: bookFigures(candidate) }),
      ),
    );
    page.services.addEventListener("change", (event) => {
      clearErrors();
      chooseService(event.target.value);
    });
    page.currency.replaceChildren(
      ...data.currencies.map((currency) =>
        h("option", { value: currency.code }, `${currency.code} · ${currency.name}`),
      ),
    );
    // "80000" reads "80,000" once typed; the summary follows the amount as it is typed.
    page.amount.addEventListener("input", renderSummary);
    page.currency.addEventListener("change", renderSummary);
    page.amount.addEventListener("change", () => {
      const amount = normalisedAmount(page.amount.value);
      if (amount) page.amount.value = groupedAmount(amount);
    });
    if (bookable.length === 1) {
      selectOnly(page.services);
      chooseService(bookable[0].prefix);
    }
  }
  page.details.hidden = !detailsShown;
}
