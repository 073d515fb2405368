// The board between messages. Waits grow with the clock, and a waiting ticket is over time from
// the moment the server named (`over_time_at`) on, so an idle lobby still turns red on time. The
// rule behind that moment is the server's; the board only reads the clock against it.

const minutesSince = (moment) => Math.floor((Date.now() - moment) / 60000);

// The server's `waited_minutes`, grown by the time since it came while the ticket still waits.
export function waitedNow(ticket) {
  return ticket.status === "waiting"
    ? ticket.waited_minutes + minutesSince(ticket.receivedAt)
    : ticket.waited_minutes;
}

export function isOverTime(ticket) {
  return (
    ticket.over_time ||
    (ticket.over_time_at != null && Date.now() > Date.parse(ticket.over_time_at))
  );
}

// How long until the next waiting ticket turns over time; Infinity when none will.
export function untilNextOverTime(tickets) {
  const moments = [...tickets.values()]
    .filter((ticket) => ticket.over_time_at != null && !ticket.over_time)
    .map((ticket) => Date.parse(ticket.over_time_at) - Date.now())
    .filter((delay) => delay >= 0);
  return Math.min(Infinity, ...moments);
}

// A queue's longest wait (the server's figure as it came, grown since, and never below what its
// tickets show) and how many of its waiting tickets are over time now.
export function queueFigures(queue, lobby) {
  const waiting = [...lobby.tickets.values()].filter(
    (ticket) => ticket.service === queue.prefix && ticket.status === "waiting",
  );
  const aged = queue.waiting
    ? queue.longest_wait_minutes + minutesSince(lobby.receivedAt.queues)
    : 0;
  return {
    longest: Math.max(aged, ...waiting.map(waitedNow)),
    overTime: waiting.filter(isOverTime).length,
  };
}
