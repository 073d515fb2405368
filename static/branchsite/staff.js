// What the staff pages (the lobby board, the teller's counter) share: the feedback line an
// action leaves, running actions against the API, and the dialogs that confirm one.

import { h } from "./dom.js";
import { localName } from "./live.js";

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
// moments and agrees with the answer.
export function staffActions({ show, failed, render }) {
  const running = new Set();

  async function act(key, request, onAnswer, { onNobody = null } = {}) {
    if (running.has(key)) return;
    running.add(key);
    show("");
    render();
    try {
      const answer = await request();
      if (answer.status === 204 && onNobody) onNobody();
      else if (answer.ok) onAnswer(answer.body);
      else show(answer.body?.detail ?? failed);
    } catch {
      show(failed);
    } finally {
      running.delete(key);
      render();
    }
  }

  return { act, busy: (key) => running.has(key) };
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
