// A branch's opening state in words, for the finder's cards and the branch page. `say` reads the
// strings of templates/queueing/_branch_state_strings.html, which both pages include.

import { allDay, branchNow, hoursOn, nextOpening, weekdayName } from "../branchsite/dom.js";

// "Today 09:00–17:00", "Open 24 hours today" or "Closed today", on the branch's own clock.
export function todayText(branch, say) {
  const { weekday } = branchNow(branch.time_zone);
  const hours = hoursOn(branch.opening_hours, weekday);
  if (hours.length === 0) return say("today-closed");
  if (hours.some(allDay)) return say("today-all-day");
  const spans = hours.map((span) => `${span.opens}–${span.closes}`).join(", ");
  return say("today-hours", { hours: spans });
}

// When a closed branch opens next: "Opens tomorrow at 09:00"; "" if it never does.
export function openingText(branch, say) {
  const next = nextOpening(branch.opening_hours, branch.time_zone);
  if (!next) return "";
  if (next.days === 0) return say("opens-today", { time: next.opens });
  if (next.days === 1) return say("opens-tomorrow", { time: next.opens });
  return say("opens-on", { weekday: weekdayName(next.weekday), time: next.opens });
}
