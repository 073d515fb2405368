// The card of the ticket at this counter: its number, service, status, when it was called, how
// long it waited, its recalls and, for an appointment, who booked and the cash ordered for them.

import { translations } from "../../branchsite/dom.js";

const { text } = translations();

// `ticket` is null when the counter is free; `clock` formats the branch's times.
export function renderCurrent(card, ticket, { isOpen, clock, serviceName }) {
  const field = (role) => card.querySelector(`[data-role="${role}"]`);
  card.dataset.status = ticket?.status ?? "idle";
  field("idle").hidden = Boolean(ticket);
  field("idle").textContent = text(isOpen ? "idle.open" : "idle.closed");
  card.querySelector(".current-body").hidden = !ticket;
  if (!ticket) {
    field("number").textContent = "";
    field("status").textContent = "";
    field("appointment").hidden = true;
    field("cash").hidden = true;
    return;
  }
  renderAppointment(field("appointment"), field("cash"), ticket.appointment, clock);
  field("number").textContent = ticket.number;
  field("service").textContent = ticket.service
    ? `${ticket.service} · ${serviceName(ticket.service)}`
    : "";
  const status = field("status");
  status.textContent = text(`status.${ticket.status}`);
  status.className = `pill status-${ticket.status}`;
  const facts = [];
  if (ticket.called_at) {
    facts.push(text("called-at", { time: clock.format(new Date(ticket.called_at)) }));
  }
  if (ticket.waited_minutes != null) facts.push(text("waited", { minutes: ticket.waited_minutes }));
  if (ticket.recall_count) facts.push(text("recalled", { count: ticket.recall_count }));
  field("detail").textContent = facts.join(" · ");
}

// An appointment's ticket tells the teller who booked and, for a large withdrawal, the cash
// that was ordered for them.
function renderAppointment(line, cash, appointment, clock) {
  line.hidden = !appointment;
  cash.hidden = !appointment?.cash_amount;
  if (!appointment) return;
  const time = clock.format(new Date(appointment.starts_at));
  line.textContent = appointment.name
    ? text("appointment", { time, name: appointment.name })
    : text("appointment-anonymous", { time });
  if (appointment.cash_amount) {
    const money = new Intl.NumberFormat(document.documentElement.lang, {
      style: "currency",
      currency: appointment.cash_currency,
    });
    cash.textContent = text("cash", { amount: money.format(Number(appointment.cash_amount)) });
  }
}
