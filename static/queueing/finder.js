// The branch finder: every branch with its live queues, searched by words, narrowed to a city or
// sorted by distance from the customer.
//
// The list starts from the branches embedded in the page and refreshes from the API every 20 s
// while the page is visible. Branches are listed by city, then name, as the page's language
// sorts them (pinyin in Chinese), or nearest first once the customer shared where they are.
// Filtering happens here, so typing never waits for the network; a refresh replaces only the
// cards that changed, so the scroll position and focus stay put.

import { deviceClock, h, reconcileChildren, translations } from "../branchsite/dom.js";
import { embedded, getJson, refreshWhileVisible } from "../branchsite/live.js";
import { openingText, todayText } from "./branch_state.js";

const REFRESH_MS = 20_000;
const SEARCH_DELAY_MS = 250;
const GEOLOCATION_TIMEOUT_MS = 15_000;

const language = document.documentElement.lang;
const { text: say } = translations();

const page = {
  form: document.getElementById("finder-form"),
  search: document.getElementById("finder-q"),
  city: document.getElementById("finder-city"),
  near: document.getElementById("near-me"),
  nearLabel: document.querySelector("#near-me [data-role=label]"),
  nearWhy: document.getElementById("near-why"),
  nearMessage: document.getElementById("near-message"),
  count: document.getElementById("result-count"),
  updated: document.getElementById("updated"),
  list: document.getElementById("branch-list"),
  empty: document.getElementById("no-results"),
};

const numberFormat = new Intl.NumberFormat(language);
const distanceFormat = new Intl.NumberFormat(language, {
  style: "unit",
  unit: "kilometer",
  maximumFractionDigits: 1,
});
const clock = deviceClock(language);
const plural = new Intl.PluralRules(language);
const collator = new Intl.Collator(language);

const state = {
  branches: new Map(embedded("branches").map((branch) => [branch.code, branch])),
  near: null, // "lat,lng" once the customer shared where they are
  updatedAt: new Date(),
  failed: false,
};

// Nearest first while `near` is on; otherwise by city, then name, then code.
function ordered(branches) {
  const distance = (branch) => branch.distance_km ?? Infinity;
  const byPlace = (a, b) =>
    collator.compare(a.city, b.city) ||
    collator.compare(a.name, b.name) ||
    collator.compare(a.code, b.code);
  return [...branches].sort((a, b) =>
    state.near ? distance(a) - distance(b) || byPlace(a, b) : byPlace(a, b),
  );
}

// Cards ---------------------------------------------------------------------------------------

function waitItem(service) {
  const waiting =
    service.waiting === 0
      ? say("no-queue")
      : say("waiting", { count: numberFormat.format(service.waiting) });
  const estimate =
    service.estimated_wait_minutes === 0
      ? say("estimate-none")
      : say("estimate", { minutes: numberFormat.format(service.estimated_wait_minutes) });
  return h(
    "li",
    { class: "branch-wait", "data-long": service.over_threshold ? "" : null },
    h("span", { class: "prefix", "aria-hidden": "true" }, service.prefix),
    h("span", { class: "branch-wait-name" }, service.name),
    h(
      "span",
      { class: "branch-wait-figures" },
      h("strong", {}, waiting),
      service.waiting === 0 ? "" : h("span", {}, ` · ${estimate}`),
    ),
  );
}

function card(branch) {
  const titleId = `branch-${branch.code}`;
  const meta = [h("span", {}, todayText(branch, say))];
  if (branch.distance_km !== null && branch.distance_km !== undefined) {
    meta.push(
      h(
        "span",
        { class: "branch-card-distance" },
        say("distance", { distance: distanceFormat.format(branch.distance_km) }),
      ),
    );
  }
  const umbrellas = branch.umbrellas_available;
  const body = branch.is_open
    ? h("ul", { class: "branch-waits" }, ...branch.services.map(waitItem))
    : h(
        "p",
        { class: "branch-card-closed" },
        h("strong", {}, openingText(branch, say)),
        h("span", {}, say("book-while-closed")),
      );
  return h(
    "li",
    { class: "branch-card", "data-code": branch.code, "aria-labelledby": titleId },
    h(
      "div",
      { class: "branch-card-head" },
      h(
        "h2",
        { class: "branch-card-name", id: titleId },
        h("a", { href: `/branches/${encodeURIComponent(branch.code)}/` }, branch.name),
      ),
      h(
        "span",
        { class: `pill ${branch.is_open ? "open" : "closed"}` },
        say(branch.is_open ? "open" : "closed"),
      ),
    ),
    h("p", { class: "branch-card-address" }, branch.address),
    h("p", { class: "branch-card-meta" }, ...meta),
    body,
    h(
      "p",
      { class: "branch-card-peak", hidden: !branch.peak_notice },
      branch.peak_notice ? String(branch.peak_notice) : "",
    ),
    h(
      "p",
      { class: "branch-card-umbrellas", hidden: umbrellas === null || umbrellas === undefined },
      umbrellas === null || umbrellas === undefined
        ? ""
        : say(`umbrellas-${plural.select(umbrellas) === "one" ? "one" : "other"}`, {
            count: numberFormat.format(umbrellas),
          }),
    ),
    h("span", { class: "branch-card-go", "aria-hidden": "true" }, say("go")),
  );
}

// Filtering -----------------------------------------------------------------------------------

const folded = (value) => String(value ?? "").toLocaleLowerCase();

function matches(branch, words, city) {
  if (city && branch.city !== city) return false;
  const haystack = folded(
    [branch.code, branch.name, branch.name_zh, branch.name_en, branch.city, branch.address].join(
      " ",
    ),
  );
  return words.every((word) => haystack.includes(word));
}

function render() {
  const words = folded(page.search.value).split(/\s+/).filter(Boolean);
  const city = page.city.value;
  const shown = ordered(state.branches.values()).filter((branch) => matches(branch, words, city));
  // Only the cards that changed: the scroll position and focus stay put.
  reconcileChildren(page.list, shown.map(card));
  page.empty.hidden = shown.length > 0;
  renderCount(shown.length);
  renderUpdated();
}

function renderCount(count) {
  let key = plural.select(count) === "one" ? "count-one" : "count-other";
  if (state.near && count > 1) key = "count-near";
  const words = say(key, { count: numberFormat.format(count) });
  // Only a change is announced; a refresh that changes nothing stays quiet.
  if (page.count.textContent !== words) page.count.textContent = words;
}

function renderUpdated() {
  const time = clock.format(state.updatedAt);
  page.updated.textContent = say(state.failed ? "update-failed" : "updated", { time });
  page.updated.dataset.failed = state.failed ? "true" : "false";
}

// The address bar keeps the search, so reloading or coming back shows the same list.
function rememberSearch() {
  const url = new URL(location.href);
  for (const [name, value] of [
    ["q", page.search.value.trim()],
    ["city", page.city.value],
  ]) {
    if (value) url.searchParams.set(name, value);
    else url.searchParams.delete(name);
  }
  history.replaceState(history.state, "", url);
}

let searchTimer = null;
page.search.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    render();
    rememberSearch();
  }, SEARCH_DELAY_MS);
});
page.city.addEventListener("change", () => {
  render();
  rememberSearch();
  refresher.now();
});
page.form.addEventListener("submit", (event) => {
  // Enter in the search box: the list is already filtered; keep the page.
  event.preventDefault();
  clearTimeout(searchTimer);
  render();
  rememberSearch();
});

// Live figures --------------------------------------------------------------------------------

async function refresh() {
  const query = new URLSearchParams();
  if (page.city.value) query.set("city", page.city.value);
  if (state.near) query.set("near", state.near);
  let result;
  try {
    result = await getJson(`/api/branches/?${query}`);
  } catch {
    result = { ok: false };
  }
  if (!result.ok || !Array.isArray(result.body)) {
    state.failed = true;
    renderUpdated();
    return;
  }
  for (const branch of result.body) state.branches.set(branch.code, branch);
  state.failed = false;
  state.updatedAt = new Date();
  render();
}

const refresher = refreshWhileVisible(refresh, REFRESH_MS);

// Near me -------------------------------------------------------------------------------------

function showNearMessage(key) {
  page.nearMessage.textContent = key ? say(key) : "";
  page.nearMessage.hidden = !key;
  page.nearMessage.dataset.kind = key;
}

function stopNear() {
  state.near = null;
  for (const branch of state.branches.values()) branch.distance_km = null;
  page.near.setAttribute("aria-pressed", "false");
  page.nearLabel.textContent = say("near-label");
  showNearMessage("");
  render();
  refresher.now();
}

function fallBackToCity(key) {
  page.near.removeAttribute("aria-busy");
  page.nearLabel.textContent = say("near-label");
  showNearMessage(key);
  page.city.focus();
}

page.near.addEventListener("click", () => {
  if (state.near) {
    stopNear();
    return;
  }
  if (!("geolocation" in navigator)) {
    fallBackToCity("near-unsupported");
    return;
  }
  page.near.setAttribute("aria-busy", "true");
  page.nearLabel.textContent = say("near-finding");
  showNearMessage("");
  navigator.geolocation.getCurrentPosition(
    (position) => {
      // Three decimals (about 100 m) sort branches as well as the exact spot, and say less.
      const { latitude, longitude } = position.coords;
      state.near = `${latitude.toFixed(3)},${longitude.toFixed(3)}`;
      page.near.removeAttribute("aria-busy");
      page.near.setAttribute("aria-pressed", "true");
      page.nearLabel.textContent = say("near-on");
      showNearMessage("near-sorted");
      refresher.now();
    },
    (error) => {
      fallBackToCity(error.code === error.PERMISSION_DENIED ? "near-denied" : "near-failed");
    },
    { enableHighAccuracy: false, timeout: GEOLOCATION_TIMEOUT_MS, maximumAge: 300_000 },
  );
});

// The cities in the order of the page's language, as the list below ("All cities" stays first).
page.city.append(
  ...[...page.city.options].slice(1).sort((a, b) => collator.compare(a.text, b.text)),
);

// The button only makes sense with a script to sort: the template hides it until now.
page.near.hidden = false;
page.nearWhy.hidden = false;

render();
