// The lobby manager issues a ticket for the customer in front of them, priority ones included:
// a dialog with a button for each of the branch's active queues (the lobby's `queues`), then the
// issued number, large, until the dialog is closed. Who may take which queue's tickets is the
// server's rule; a refusal's `detail` shows in the dialog. The ticket reaches the board's list
// with the socket's change.

import { h, translations } from "../../branchsite/dom.js";
import { idempotencyKey, localName, post } from "../../branchsite/live.js";

const { text } = translations();

export function issueDialog(dialog, { branchCode }) {
  const part = (role) => dialog.querySelector(`[data-role="${role}"]`);
  const list = part("services");
  const error = part("error");
  // One Idempotency-Key per queue and opening of the dialog: a retry after a lost answer gets
  // the ticket already issued, never a second one.
  let keys = new Map();
  let issuing = false;

  function serviceButtons(queues) {
    list.replaceChildren(
      ...queues.map((queue) =>
        h(
          "li",
          {},
          h(
            "button",
            { class: "button issue-service", type: "button", "data-prefix": queue.prefix },
            h("span", { class: "prefix" }, queue.prefix),
            h("span", { class: "issue-service-name" }, localName(queue)),
          ),
        ),
      ),
    );
  }

  function showIssued(ticket) {
    part("number").textContent = ticket.number;
    part("service").textContent = `${ticket.service.prefix} · ${localName(ticket.service)}`;
    part("choose").hidden = true;
    part("issued").hidden = false;
    part("issued").querySelector('[data-action="close"]').focus();
  }

  async function issue(prefix) {
    if (issuing) return;
    issuing = true;
    error.textContent = "";
    for (const button of list.querySelectorAll("button")) button.disabled = true;
    if (!keys.has(prefix)) keys.set(prefix, idempotencyKey());
    try {
      const answer = await post(
        "/api/tickets/",
        { branch: branchCode, service: prefix },
        { "Idempotency-Key": keys.get(prefix) },
      );
      if (answer.ok) {
        showIssued(answer.body);
      } else {
        // The server answered: trying again is a new request.
        keys.delete(prefix);
        error.textContent = answer.body?.detail ?? text("failed");
      }
    } catch {
      error.textContent = text("failed");
    } finally {
      issuing = false;
      for (const button of list.querySelectorAll("button")) button.disabled = false;
    }
  }

  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-prefix]");
    if (button) issue(button.dataset.prefix);
  });
  for (const button of dialog.querySelectorAll('[data-action="close"]')) {
    button.addEventListener("click", () => dialog.close());
  }

  return {
    // `queues`: the lobby's, each {prefix, name_zh, name_en}.
    open(queues) {
      keys = new Map();
      serviceButtons(queues);
      error.textContent = "";
      part("choose").hidden = false;
      part("issued").hidden = true;
      dialog.showModal();
    },
  };
}
