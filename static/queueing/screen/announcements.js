// The wall screen's announcements, one at a time: a call goes on the big display when its turn
// comes and stays there while it is rung and spoken, and for at least MINIMUM_SHOWN_MS, so the
// number the hall hears is always the number it sees. Calls that come in a burst wait their turn
// in order; none is dropped.

// Long enough to find the screen and read a number from across the lobby, even with the sound off.
export const MINIMUM_SHOWN_MS = 4000;

// With this many calls still waiting, the chime is left out: the hall is listening already, and
// the rush is over sooner.
export const HURRY_WHEN_WAITING = 3;

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// `show(call)` puts a call on the big display; `announce(call, { chime })` rings and speaks it
// and resolves once it has been said. Returns `{ add(call), current }`: `current` is the call
// being announced, null between announcements. Each announcement start is also dispatched on
// `document` as an "announce" event whose `detail` is the call (the browser tests follow it).
export function announcementQueue({ show, announce }) {
  const waiting = [];
  let current = null;

  async function announceNext() {
    current = waiting.shift() ?? null;
    if (current === null) return;
    show(current);
    document.dispatchEvent(new CustomEvent("announce", { detail: current }));
    const chime = waiting.length < HURRY_WHEN_WAITING;
    await Promise.all([
      // A failed announcement must not stop the ones after it: the screen still shows each call.
      announce(current, { chime }).catch((error) => console.warn("Announcement failed", error)),
      pause(MINIMUM_SHOWN_MS),
    ]);
    announceNext();
  }

  return {
    add(call) {
      waiting.push(call);
      if (current === null) announceNext();
    },
    get current() {
      return current;
    },
  };
}
