// Texts while the page is closed: while the ticket waits, the holder gives a phone number to be
// texted when near the front and when called, and can stop the texts again. What shows follows
// the ticket's `notifications` as the server sends it; the messages themselves are the server's.

import { showText, translations } from "../../branchsite/dom.js";
import { csrfToken, post, ticketUrl } from "../../branchsite/live.js";

const { text: say } = translations();
const $ = (id) => document.getElementById(id);

// `onChange(ticket)` gets the ticket as the server answered an opt-in or a stop.
export function notifyPanel(token, { onChange }) {
  const section = $("notify");
  const form = $("notify-form");
  const phone = $("notify-phone");
  const submit = $("notify-submit");
  const on = $("notify-on");
  const stop = $("notify-stop");
  const error = $("notify-error");
  const url = ticketUrl(token, "notifications");

  function render(ticket) {
    const subscribed = ticket.notifications?.subscribed ?? false;
    section.hidden = ticket.status !== "waiting";
    form.hidden = subscribed;
    on.hidden = !subscribed;
    if (subscribed) {
      on.querySelector("[data-role=phone]").textContent = say("notify-on", {
        phone: ticket.notifications.phone,
      });
    }
  }

  async function send(request, button) {
    error.hidden = true;
    button.disabled = true;
    try {
      const result = await request();
      if (result.ok) onChange(result.body);
      else showText(error, result.body?.detail ?? say("notify-failed"));
    } catch {
      showText(error, say("offline"));
    } finally {
      button.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const number = phone.value.trim();
    if (!number) {
      showText(error, say("notify-phone-required"));
      phone.focus();
      return;
    }
    send(() => post(url, { phone: number }), submit);
  });

  stop.addEventListener("click", () =>
    send(async () => {
      const response = await fetch(url, {
        method: "DELETE",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      });
      return { ok: response.ok, body: await response.json().catch(() => null) };
    }, stop),
  );

  return { render };
}
