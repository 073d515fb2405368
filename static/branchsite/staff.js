// What the staff pages (the lobby board, the teller's counter) share: the feedback line an
// action leaves, running actions against the API, the grace period with its Undo that an action
// which cannot be taken back waits through, and the dialogs that confirm one.

import { h } from "./dom.js";
import { csrfToken, localName } from "./live.js";

// The page's feedback line (a role=alert element): `show(words, tone)`, tone "error" (the
// default) or "info", which the CSS may colour from data-tone. A message of a tone listed in
// `lingerMs` clears itself after that long; others stay until the next one. `show("")` clears.
export function feedbackLine(element, lingerMs = {}) {
  let timer = null;
  return function show(words, tone = "error") {
    clearTimeout(timer);
    element.textContent = words;
    element.dataset.tone = tone;
    if (words && lingerMs[tone]) timer = setTimeout(() => show(""), lingerMs[tone]);
  };
}

// Runs staff actions, one at a time per `key` (a ticket's token, a counter's number, or one key
// for the whole page): a second tap meanwhile is ignored. `request()` is a `post(…)`; its answer
// goes to `onAnswer(body)`, a 204 to `onNobody()` when given, an error's detail to `show` (the
// `failed` words when it has none or the network failed). `render()` runs as an action starts
// and once it ended, so that buttons can show `busy(key)`. The socket's change follows within
// moments and agrees with the answer. `act` resolves to whether the server took the action
// (false also when it was ignored).
export function staffActions({ show, failed, render }) {
  const running = new Set();

  async function act(key, request, onAnswer, { onNobody = null } = {}) {
    if (running.has(key)) return false;
    running.add(key);
    show("");
    render();
    try {
      const answer = await request();
      if (answer.status === 204 && onNobody) onNobody();
      else if (answer.ok) onAnswer(answer.body);
      else show(answer.body?.detail ?? failed);
      return answer.ok;
    } catch {
      show(failed);
      return false;
    } finally {
      running.delete(key);
      render();
    }
  }

  return { act, busy: (key) => running.has(key) };
}

// How long an action that cannot be taken back (a no-show, a finish) waits, its Undo offered,
// before it is sent.
export const UNDO_GRACE_MS = 5000;
const COUNTDOWN_MS = 1000;

// Holds back one action at a time for `graceMs`, saying at once in `bar` what it did (the bar
// holds [data-role=what], [data-role=countdown], [data-role=progress] and a [data-action=undo]
// button), so that Undo can still cancel it and nothing is sent.
// - `hold({ subject, words, url, body })` holds one; `flush()` first whatever is held.
// - `send(action)` sends it (a staffActions `act` with `post(action.url, action.body)`) and
//   resolves to whether the server took it. That happens when the grace period ends, on
//   `flush()`, and as the page is left, where the same request goes with keepalive.
// - `flush()` sends the held action now and resolves to whether it went through (true when
//   nothing was held): every other action calls it first, as the server may refuse that one
//   while this is not done (a counter is busy until its ticket is finished or marked no-show).
// - `undo()`, or the bar's button, drops it; `onUndo(action)` follows.
// - `holds(subject)`: an action on `subject` is held or on its way, so the page shows its
//   outcome rather than what the socket still says. `render()` runs whenever that changes.
// `countdown(seconds)` words the seconds left.
export function graceActions({
  bar,
  send,
  render,
  countdown,
  onUndo = () => {},
  graceMs = UNDO_GRACE_MS,
}) {
  let held = null; // the action, with the moment it is sent (`sendsAt`)
  let sending = null; // { subject, done }: the action on its way, `done` its outcome
  let timer = null;
  let ticker = null;

  const part = (role) => bar.querySelector(`[data-role="${role}"]`);

  function showBar() {
    bar.hidden = !held;
    if (!held) return;
    const left = Math.max(0, held.sendsAt - Date.now());
    part("what").textContent = held.words;
    part("countdown").textContent = countdown(Math.ceil(left / 1000));
    part("progress").style.transform = `scaleX(${left / graceMs})`;
  }

  function release() {
    const action = held;
    held = null;
    clearTimeout(timer);
    clearInterval(ticker);
    showBar();
    return action;
  }

  async function flush() {
    if (!held) return sending ? sending.done : true;
    const action = release();
    sending = { subject: action.subject, done: send(action) };
    render();
    try {
      return await sending.done;
    } finally {
      sending = null;
      render();
    }
  }

  function undo() {
    if (!held) return;
    const action = release();
    render();
    onUndo(action);
  }

  bar.querySelector('[data-action="undo"]').addEventListener("click", undo);
  // The page is going (a link, a reload, the tab closed): its answer can no longer be shown,
  // but the server still gets the action.
  window.addEventListener("pagehide", () => {
    if (!held) return;
    const action = release();
    keepalivePost(action.url, action.body);
  });

  return {
    hold(action) {
      if (held || sending) throw new Error("flush() the held action first");
      held = { ...action, sendsAt: Date.now() + graceMs };
      timer = setTimeout(flush, graceMs);
      ticker = setInterval(showBar, COUNTDOWN_MS);
      showBar();
      render();
    },
    flush,
    undo,
    holds: (subject) => held?.subject === subject || sending?.subject === subject,
    get holding() {
      return held !== null;
    },
  };
}

// `post(url, body)` sent with keepalive, as a page is left: same headers, answer not read.
export function keepalivePost(url, body = null) {
  fetch(url, {
    method: "POST",
    credentials: "same-origin",
    keepalive: true,
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: body === null ? null : JSON.stringify(body),
  }).catch(() => {
    // Nothing is left to tell: the page is gone.
  });
}

// A <dialog> holding a <form method="dialog"> whose confirming button has value="confirm".
// `ask(subject)` fills it in with `prepare(subject)` and opens it; once it closes confirmed,
// `onConfirm(subject)` runs. Esc or any other button backs out. `focus` (an element of the
// dialog) gets the focus as it opens, else the browser's first focusable one; on `enterConfirms`
// (a select), Enter confirms as it would in a text field.
export function confirmDialog(
  dialog,
  { prepare = () => {}, onConfirm, focus = null, enterConfirms = null },
) {
  let subject = null;

  dialog.addEventListener("close", () => {
    const asked = subject;
    subject = null;
    if (asked !== null && dialog.returnValue === "confirm") onConfirm(asked);
  });
  enterConfirms?.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      dialog.close("confirm");
    }
  });

  return {
    ask(about) {
      subject = about;
      prepare(about);
      dialog.returnValue = "";
      dialog.showModal();
      focus?.focus();
    },
    get open() {
      return dialog.open;
    },
  };
}

// The queues a ticket can move to, as the options of `select`: "B · Non-cash" for every one of
// `queues` ({prefix, name_zh, name_en}) but its own.
export function transferChoices(select, queues, ownPrefix) {
  select.replaceChildren(
    ...queues
      .filter((queue) => queue.prefix !== ownPrefix)
      .map((queue) =>
        h("option", { value: queue.prefix }, `${queue.prefix} · ${localName(queue)}`),
      ),
  );
}
