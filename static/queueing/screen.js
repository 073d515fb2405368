// The wall screen: the call being made, the calls before it, who waits in each queue, the notice.
//
// It renders the snapshot embedded in the page, so it is right before the socket connects, then
// follows /ws/screens/<code>/. A new call goes at once to the top of the recent calls, and into
// the queue of announcements (screen/announcements.js): in its turn it takes the big display,
// flashes, is rung with a chime and spoken in the branch's announcement languages, so that the
// number on the screen is always the one the hall hears. Calls in a snapshot (the first one, or
// after a reconnect) are shown without a sound: they were announced already.

import { branchClock, h } from "../branchsite/dom.js";
import { connectionStatus, embedded, liveLobby } from "../branchsite/live.js";
import { audioContext, watchSound } from "./chime.js";
import { announcementQueue } from "./screen/announcements.js";
import { ring } from "./screen/voice.js";

const SHOWN_CALLS = 6; // as many as fit on the screen in words large enough to read from afar

const initial = embedded("snapshot");
const branch = initial.branch;
let calls = []; // newest first, with those still waiting for their announcement
let onDisplay = null; // the call on the big display: the one being announced, or the last one
let queues = [];

const page = {
  currentCall: document.getElementById("current-call"),
  currentNumber: document.querySelector("#current-call [data-role=number]"),
  currentService: document.querySelector("#current-call [data-role=service]"),
  currentCounter: document.querySelector("#current-call [data-role=counter]"),
  recentCalls: document.getElementById("recent-calls"),
  queues: document.getElementById("queues"),
  notice: document.getElementById("notice"),
  closed: document.getElementById("branch-closed"),
  clockTime: document.getElementById("clock-time"),
  clockDate: document.getElementById("clock-date"),
  announcer: document.getElementById("announcer"),
  enableSound: document.getElementById("enable-sound"),
};

// Clock and call times are the branch's, whatever the time zone of the TV.
const timeZone = branch.time_zone;
const timeFormat = branchClock(timeZone, "zh-CN");
const dateFormatZh = new Intl.DateTimeFormat("zh-CN", {
  timeZone, month: "long", day: "numeric", weekday: "long",
});
const dateFormatEn = new Intl.DateTimeFormat("en-GB", {
  timeZone, weekday: "long", day: "numeric", month: "long",
});

// Everything on the screen is said twice, Chinese first; CSS lays the pair out.
function bilingual(zh, en) {
  return [
    h("span", { lang: "zh-hans", class: "zh" }, zh),
    h("span", { lang: "en", class: "en" }, en),
  ];
}

function counterLabel(counter) {
  return counter === null ? [] : bilingual(`${counter}号窗口`, `Counter ${counter}`);
}

function serviceLabel(prefix) {
  const queue = queues.find((candidate) => candidate.prefix === prefix);
  return queue ? bilingual(queue.name_zh, queue.name_en) : [];
}

function renderDisplay() {
  const call = onDisplay;
  page.currentCall.classList.toggle("is-empty", !call);
  page.currentNumber.textContent = call ? call.number : "";
  page.currentService.replaceChildren(...(call ? serviceLabel(call.service) : []));
  page.currentCounter.replaceChildren(...(call ? counterLabel(call.counter) : []));
}

// Every recent call, those still waiting for their announcement too; the one on the big display
// is marked, so eyes find it in the list.
function renderRecentCalls() {
  page.recentCalls.replaceChildren(
    ...calls.map((call) =>
      h(
        "li",
        { class: call.number === onDisplay?.number ? "is-on-display" : null },
        h("span", { "data-role": "number", class: "recent-number" }, call.number),
        h(
          "span",
          { "data-role": "counter", class: "recent-counter" },
          ...counterLabel(call.counter),
        ),
        h(
          "time",
          { class: "recent-time", datetime: call.called_at },
          timeFormat.format(new Date(call.called_at)),
        ),
      ),
    ),
  );
}

function renderQueues() {
  page.queues.replaceChildren(
    ...queues.map((queue) => {
      const minutes = queue.estimated_wait_minutes;
      const estimate =
        queue.waiting === 0
          ? bilingual("无需等候", "No wait")
          : bilingual(`约 ${minutes} 分钟`, `about ${minutes} min`);
      return h(
        "li",
        { "data-prefix": queue.prefix, class: "queue" },
        h("span", { class: "queue-prefix", "aria-hidden": "true" }, queue.prefix),
        h("span", { class: "queue-name" }, ...bilingual(queue.name_zh, queue.name_en)),
        h(
          "span",
          { class: "queue-waiting" },
          h("strong", { "data-role": "waiting" }, String(queue.waiting)),
          h("span", { class: "queue-unit" }, ...bilingual("人等候", "waiting")),
        ),
        h("span", { class: "queue-estimate", "data-role": "estimate" }, ...estimate),
      );
    }),
  );
}

// The peak-hour notice: plain text, or one text per language (shown Chinese first).
function renderNotice(notice) {
  const text =
    typeof notice === "string"
      ? notice
      : [notice?.text_zh, notice?.text_en].filter(Boolean).join(" / ");
  page.notice.textContent = text;
  page.notice.hidden = !text;
}

// The phone check-in code, and a fresh snapshot when it changes (a moment after, so that the
// server's clock has surely moved on too).
let presenceTimer = null;
function renderPresence(presence) {
  if (!presence) return;
  const code = document.getElementById("presence-code");
  if (code.textContent !== presence.code) code.textContent = presence.code;
  clearTimeout(presenceTimer);
  const wait = Math.max(1000, Date.parse(presence.until) - Date.now() + 1000);
  presenceTimer = setTimeout(() => live?.resync(), wait);
}

// A snapshot shows its calls without a sound (they were announced already), its latest on the
// big display unless an announcement has it; a change's call is announced.
function update(message, lobby) {
  queues = lobby.queues;
  renderQueues();
  if (message.type === "snapshot") {
    renderPresence(lobby.presence);
    calls = lobby.calls.slice(0, SHOWN_CALLS);
    if (announcements.current === null) onDisplay = calls[0] ?? null;
    page.closed.hidden = lobby.branch.is_open;
    renderNotice(lobby.notice);
    renderDisplay();
    renderRecentCalls();
  } else if (message.call) {
    addCall(message.call);
  }
}

// The clock; a new business day also asks for a fresh snapshot, so yesterday's calls leave the
// screen even if the socket never dropped.
let shownDay = null;
let live = null;

function tick() {
  const now = new Date();
  const time = timeFormat.format(now);
  if (page.clockTime.textContent !== time) page.clockTime.textContent = time;
  const day = dateFormatZh.format(now);
  if (day === shownDay) return;
  if (shownDay !== null && live) live.resync();
  shownDay = day;
  page.clockDate.replaceChildren(...bilingual(day, dateFormatEn.format(now)));
}

// Announcing -------------------------------------------------------------------------------------

// The call whose turn has come: on the big display, flashed, and told to screen readers.
function display(call) {
  onDisplay = call;
  renderDisplay();
  renderRecentCalls();
  flash();
  const text = `${call.number} → ${call.counter}号窗口 / Counter ${call.counter}`;
  // Emptied first, so that a recall (the same words) is read out again.
  page.announcer.textContent = "";
  setTimeout(() => {
    page.announcer.textContent = text;
  }, 100);
}

const announcements = announcementQueue({
  show: display,
  announce: (call, options) => ring(call, branch.announce_in, options),
});

function flash() {
  page.currentCall.classList.remove("flash");
  void page.currentCall.offsetWidth; // restart the animation when calls come quickly
  page.currentCall.classList.add("flash");
}

page.currentCall.addEventListener("animationend", () => page.currentCall.classList.remove("flash"));

function isShown(call) {
  return calls.some(
    (shown) =>
      shown.number === call.number &&
      shown.called_at === call.called_at &&
      shown.recall_count === call.recall_count,
  );
}

function addCall(call) {
  if (isShown(call)) return;
  // A recall replaces the earlier line of the same ticket: one line per customer.
  calls = [call, ...calls.filter((shown) => shown.number !== call.number)].slice(0, SHOWN_CALLS);
  renderRecentCalls();
  announcements.add(call);
}

// Connection and sound ---------------------------------------------------------------------------

// A browser that waits for a gesture before it plays sound gets it from any tap, click or key
// on the screen: nobody aims at a small button on a TV. body[data-sound] says which it is.
watchSound((running) => {
  page.enableSound.hidden = running;
  document.body.dataset.sound = running ? "on" : "off";
});
const enableSound = () => {
  if (audioContext()?.state !== "running") audioContext()?.resume();
};
document.addEventListener("click", enableSound);
document.addEventListener("keydown", enableSound);

live = liveLobby(`/ws/screens/${encodeURIComponent(branch.code)}/`, initial, {
  onUpdate: update,
  onStatus: connectionStatus(),
});
tick();
setInterval(tick, 1000);
