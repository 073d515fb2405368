// Rating the visit: the form while the server says the ticket can be rated (`can_rate`), the
// thanks once it is rated, nothing otherwise. A ticket is rated once, 1–5 stars and an optional
// comment; the template leaves the form out once the ticket is rated.

import { h, numberFormats, translations } from "../../branchsite/dom.js";
import { getJson, post, ticketUrl } from "../../branchsite/live.js";

const MAX_COMMENT = 500;

const { text: say } = translations();
const { number, plural } = numberFormats();

const $ = (id) => document.getElementById(id);

// `onRated(ticket)` gets the ticket as the server answered once it is rated.
export function ratingPanel(token, { onRated }) {
  const section = $("rating");
  const form = $("rating-form"); // absent once rated
  const given = $("rating-given");
  let ratedHere = null; // {stars, comment} sent from this page: a late snapshot cannot undo it

  function showGiven({ stars, comment }) {
    given
      .querySelector("[data-role=stars]")
      .replaceChildren(
        ...[1, 2, 3, 4, 5].map((value) => h("span", { class: value <= stars ? "on" : "off" }, "★")),
      );
    given.querySelector("[data-role=stars-words]").textContent = say(
      plural.select(stars) === "one" ? "rating-stars-one" : "rating-stars-other",
      { stars: number.format(stars) },
    );
    const commentBox = given.querySelector("[data-role=comment]");
    commentBox.textContent = comment ?? "";
    commentBox.hidden = !comment;
    given.hidden = false;
  }

  function render(ticket) {
    const rating =
      ticket.rating !== null && ticket.rating !== undefined
        ? { stars: ticket.rating, comment: ticket.rating_comment }
        : ratedHere;
    section.hidden = !rating && !ticket.can_rate;
    if (rating) {
      if (form) form.hidden = true;
      showGiven(rating);
    } else if (form) {
      form.hidden = false;
      given.hidden = true;
    }
  }

  if (form) {
    const comment = $("rating-comment");
    const submit = $("rating-submit");
    const chosenStars = () => Number(form.querySelector("input[name=stars]:checked")?.value ?? 0);
    const showError = (text) => {
      $("rating-error").textContent = text;
      $("rating-error").hidden = !text;
    };
    const renderForm = () => {
      const stars = chosenStars();
      $("rating-word").textContent = stars ? say(`rating-words-${stars}`) : "";
      $("rating-count").textContent = say("rating-count", {
        count: number.format(comment.value.length),
      });
    };

    comment.maxLength = MAX_COMMENT;
    form.addEventListener("change", () => {
      showError("");
      renderForm();
    });
    comment.addEventListener("input", renderForm);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const stars = chosenStars();
      if (!stars) {
        showError(say("rating-choose"));
        form.querySelector("input[name=stars]").focus();
        return;
      }
      const words = comment.value.trim().slice(0, MAX_COMMENT);
      showError("");
      submit.disabled = true;
      submit.textContent = say("rating-sending");
      try {
        const result = await post(ticketUrl(token, "rating"), { stars, comment: words });
        if (result.ok) {
          ratedHere = { stars, comment: words };
          onRated(result.body);
          given.focus();
        } else if (result.body?.code === "already_rated") {
          // Rated from another tab or device: show that rating instead of asking again.
          const current = await getJson(`/api/tickets/${encodeURIComponent(token)}/`);
          if (current.ok) onRated(current.body);
          else showError(result.body.detail);
        } else {
          showError(result.body?.detail ?? say("rating-failed"));
        }
      } catch {
        showError(say("offline"));
      } finally {
        submit.disabled = false;
        submit.textContent = say("rating-send");
      }
    });
    renderForm();
  }

  return { render };
}
