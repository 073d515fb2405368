// An appointment, for its holder: what, where and when on the branch's clock, the check-in code
// for the kiosk, and the holder's actions (check in within the window, change the time, cancel,
// add to a calendar). It re-reads the appointment every 30 s while visible, so a check-in at the
// kiosk or a missed window shows here without a reload.

import {
  branchClock,
  branchNow,
  formatMoney,
  h,
  showText,
  translations,
} from "../branchsite/dom.js";
import {
  embedded,
  getJson,
  idempotencyKey,
  localName,
  post,
  refreshWhileVisible,
} from "../branchsite/live.js";
import { bookableDays, slotPicker } from "./slots.js";

const REFRESH_MS = 30_000;

const data = embedded("appointment-data");
const language = document.documentElement.lang;
const { text: say } = translations();

const $ = (id) => document.getElementById(id);
const page = {
  status: $("appt-status"),
  statusLabel: $("status-label"),
  statusNext: $("status-next"),
  ticketLink: $("ticket-link"),
  bookAgain: $("book-again"),
  pass: $("pass"),
  qr: $("qr"),
  code: $("check-in-code"),
  how: $("pass-how"),
  window: $("check-in-window"),
  checkIn: $("check-in"),
  presence: $("presence-field"),
  presenceInput: $("presence-input"),
  presenceError: $("presence-error"),
  service: $("fact-service"),
  date: $("fact-date"),
  time: $("fact-time"),
  cashRow: $("fact-cash-row"),
  cash: $("fact-cash"),
  phone: $("fact-phone"),
  nameRow: $("fact-name-row"),
  name: $("fact-name"),
  notice: $("appt-notice"),
  alert: $("appt-alert"),
  actions: $("appt-actions"),
  calendar: $("calendar"),
  reschedule: $("reschedule"),
  cancel: $("cancel"),
  reschedulePanel: $("reschedule-panel"),
  rescheduleTitle: $("reschedule-title"),
  rescheduleCash: $("reschedule-cash"),
  rescheduleWhen: $("reschedule-when"),
  rescheduleError: $("reschedule-error"),
  rescheduleConfirm: $("reschedule-confirm"),
  rescheduleClose: $("reschedule-close"),
};

let appointment = data.appointment;
const token = appointment.token;
const timeZone = appointment.branch.time_zone;
const clock = branchClock(timeZone, language);
const dateFormat = new Intl.DateTimeFormat(language, { dateStyle: "full", timeZone });
const shortDate = new Intl.DateTimeFormat(language, {
  weekday: "short",
  month: "short",
  day: "numeric",
  timeZone,
});
const apiUrl = (action = "") =>
  `/api/appointments/${encodeURIComponent(token)}/${action ? `${action}/` : ""}`;

// "ABC123" read out letter by letter, not as a word.
const spelled = (code) => [...code].join(" ");

function windowText(now) {
  const opens = new Date(appointment.check_in_opens_at);
  const closes = new Date(appointment.check_in_closes_at);
  const times = { opens: clock.format(opens), closes: clock.format(closes) };
  if (now > closes) return say("window-closed", times);
  if (now >= opens) return say("window-open", times);
  if (branchNow(timeZone, opens).date === branchNow(timeZone, now).date) {
    return say("window-before-today", times);
  }
  return say("window-before", { ...times, date: shortDate.format(opens) });
}

function checkInOpen(now) {
  return (
    appointment.status === "booked" &&
    now >= new Date(appointment.check_in_opens_at) &&
    now <= new Date(appointment.check_in_closes_at)
  );
}

function render() {
  const now = new Date();
  const start = new Date(appointment.start);
  const end = new Date(appointment.end);
  const status = appointment.status;
  const booked = status === "booked";

  page.status.dataset.status = status;
  page.statusLabel.textContent = say(`status-${status}`);
  page.statusNext.textContent = say(`next-${status}`, {
    date: dateFormat.format(start),
    time: clock.format(start),
  });
  page.ticketLink.hidden = !(status === "checked_in" && appointment.ticket);
  if (appointment.ticket) page.ticketLink.href = `/t/${encodeURIComponent(appointment.ticket)}/`;
  page.bookAgain.hidden = !["cancelled", "missed"].includes(status);

  page.pass.hidden = !booked;
  page.code.textContent = appointment.code;
  page.code.setAttribute("aria-label", say("code-letters", { letters: spelled(appointment.code) }));
  if (page.qr.getAttribute("src") !== appointment.qr_url) page.qr.src = appointment.qr_url;
  page.how.textContent = say("how");
  page.window.textContent = windowText(now);
  page.checkIn.hidden = !checkInOpen(now);
  page.presence.hidden = page.checkIn.hidden;

  page.service.textContent = localName(appointment.service);
  page.date.textContent = dateFormat.format(start);
  page.time.textContent = say("time-range", { start: clock.format(start), end: clock.format(end) });
  const cash = appointment.cash_amount !== null && appointment.cash_amount !== undefined;
  page.cashRow.hidden = !cash;
  page.cash.textContent = cash
    ? formatMoney(appointment.cash_amount, appointment.cash_currency)
    : "";
  page.phone.textContent = appointment.phone;
  page.nameRow.hidden = !appointment.name;
  page.name.textContent = appointment.name;

  page.actions.hidden = !booked;
  page.calendar.href = appointment.calendar_url;
  if (!booked) closeReschedule();
  scheduleWindowChange(now);
}

// The check-in button appears when the window opens, without waiting for the next refresh.
let windowTimer = null;
function scheduleWindowChange(now) {
  clearTimeout(windowTimer);
  const next = [appointment.check_in_opens_at, appointment.check_in_closes_at]
    .map((moment) => new Date(moment) - now)
    .find((delay) => delay > 0);
  if (next !== undefined && next < REFRESH_MS * 4) windowTimer = setTimeout(render, next + 500);
}

async function refresh() {
  const result = await getJson(apiUrl());
  if (result.ok) {
    appointment = result.body;
  }
  render();
}

// One message at a time: an action's news replaces the previous one.
function showAlert(words) {
  showText(page.alert, words);
  page.notice.hidden = true;
}

// Check in --------------------------------------------------------------------------------------

// The code proves the customer is in the lobby; the server checks it. One key per code typed,
// so a retry after a lost answer is the same check-in, and a corrected code a new one.
const PRESENCE_ERRORS = new Set(["presence_code_required", "presence_code_wrong"]);
let checkInKey = null;
let checkInCode = null;
page.checkIn.addEventListener("click", async () => {
  showAlert("");
  page.presenceError.hidden = true;
  page.presenceInput.removeAttribute("aria-invalid");
  const code = page.presenceInput.value.replace(/\s+/g, "");
  page.checkIn.disabled = true;
  page.checkIn.textContent = say("checking-in");
  if (code !== checkInCode) checkInKey = null;
  checkInCode = code;
  checkInKey ??= idempotencyKey();
  try {
    const result = await post(
      apiUrl("check-in"),
      { presence_code: code },
      { "Idempotency-Key": checkInKey },
    );
    checkInKey = null;
    if (result.ok) {
      location.assign(`/t/${encodeURIComponent(result.body.token)}/`);
      return;
    }
    if (PRESENCE_ERRORS.has(result.body?.code)) {
      showText(page.presenceError, result.body.detail);
      page.presenceInput.setAttribute("aria-invalid", "true");
      page.presenceInput.focus();
      return;
    }
    showAlert(result.body?.detail ?? say("failed"));
    refresher.now();
  } catch {
    showAlert(say("offline"));
  } finally {
    page.checkIn.disabled = false;
    page.checkIn.textContent = say("check-in");
  }
});

// Cancel ----------------------------------------------------------------------------------------

page.cancel.addEventListener("click", async () => {
  if (!window.confirm(say("cancel-confirm"))) return;
  showAlert("");
  page.cancel.disabled = true;
  try {
    const result = await post(apiUrl("cancel"));
    if (result.ok) {
      appointment = result.body;
      render();
      page.statusLabel.scrollIntoView({ block: "center" });
    } else {
      showAlert(result.body?.detail ?? say("failed"));
      refresher.now();
    }
  } catch {
    showAlert(say("offline"));
  } finally {
    page.cancel.disabled = false;
  }
});

// Reschedule ------------------------------------------------------------------------------------

let picker = null;

function closeReschedule() {
  page.reschedulePanel.hidden = true;
  page.reschedule.setAttribute("aria-expanded", "false");
}

async function openReschedule() {
  showAlert("");
  page.rescheduleError.hidden = true;
  page.reschedulePanel.hidden = false;
  page.reschedule.setAttribute("aria-expanded", "true");
  page.rescheduleConfirm.disabled = true;
  page.rescheduleConfirm.textContent = say("move");
  page.rescheduleCash.hidden = !appointment.service.reserves_cash;
  page.rescheduleTitle.focus();

  // The appointment names its branch but not its opening hours, which decide the days.
  let branch;
  try {
    const result = await getJson(`/api/branches/${encodeURIComponent(appointment.branch.code)}/`);
    if (!result.ok) throw new Error(result.body?.detail);
    branch = result.body;
  } catch (error) {
    showText(page.rescheduleError, error.message || say("load-failed"));
    return;
  }
  picker = slotPicker({
    root: page.rescheduleWhen,
    name: "reschedule",
    branchCode: appointment.branch.code,
    timeZone,
    today: data.today,
    say,
    currentStart: appointment.start,
    onChange(slot) {
      page.rescheduleConfirm.disabled = !slot;
      page.rescheduleConfirm.textContent = slot
        ? say("move-to", {
            date: shortDate.format(new Date(slot.start)),
            time: clock.format(new Date(slot.start)),
          })
        : say("move");
    },
  });
  const days = bookableDays(
    data.booking_window,
    new Set(branch.opening_hours.map((hours) => hours.weekday)),
  );
  picker.show(appointment.service.prefix, days);
}

page.reschedule.addEventListener("click", () => {
  if (page.reschedulePanel.hidden) openReschedule();
  else closeReschedule();
});
page.rescheduleClose.addEventListener("click", () => {
  closeReschedule();
  page.reschedule.focus();
});

page.rescheduleConfirm.addEventListener("click", async () => {
  const start = picker?.selected;
  if (!start) return;
  page.rescheduleError.hidden = true;
  page.rescheduleConfirm.disabled = true;
  page.rescheduleConfirm.textContent = say("moving");
  let result;
  try {
    result = await post(apiUrl("reschedule"), { start });
  } catch {
    showText(page.rescheduleError, say("offline"));
    page.rescheduleConfirm.disabled = false;
    page.rescheduleConfirm.textContent = say("move");
    return;
  }
  if (result.ok) {
    appointment = result.body;
    closeReschedule();
    render();
    const moved = new Date(appointment.start);
    // A calendar keeps the old time until the customer imports the changed entry (same UID, a
    // higher SEQUENCE): say so, with a link to the fresh file right there.
    page.notice.replaceChildren(
      say("moved", { date: dateFormat.format(moved), time: clock.format(moved) }),
      " ",
      say("moved-calendar"),
      " ",
      h("a", { href: appointment.calendar_url, download: "", id: "calendar-again" }, say("add-again")),
    );
    page.notice.hidden = false;
    page.notice.scrollIntoView({ block: "center" });
    return;
  }
  showText(page.rescheduleError, result.body?.detail ?? say("failed"));
  page.rescheduleConfirm.textContent = say("move");
  if (result.body?.code === "appointment_not_booked") {
    refresher.now();
    return;
  }
  picker.reload(); // a full or vanished slot: the day's places as they are now
});

// Start -----------------------------------------------------------------------------------------

render();
const refresher = refreshWhileVisible(refresh, REFRESH_MS);
