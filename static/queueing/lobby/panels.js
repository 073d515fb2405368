// The side panels that later features fill: alerts, kiosk carts to review, umbrella stock. Each
// item carries its own human `detail` or `label`.

import { h, translations } from "../../branchsite/dom.js";

const { text } = translations();

const emptyState = (key) => h("p", { class: "empty" }, text(key));

function renderAlerts(panel, alerts) {
  if (!alerts.length) return panel.replaceChildren(emptyState("alerts.empty"));
  const items = alerts.map((alert) => h("li", {}, alert.detail ?? alert.code));
  panel.replaceChildren(h("ul", { class: "items alerts" }, ...items));
}

function renderCarts(panel, carts) {
  if (!carts.length) return panel.replaceChildren(emptyState("carts.empty"));
  const items = carts.map((cart) =>
    h("li", { "data-cart": cart.id }, cart.label ?? text("carts.item", { id: cart.id })),
  );
  panel.replaceChildren(h("ul", { class: "items" }, ...items));
}

function renderUmbrellas(panel, stock) {
  if (!stock) return panel.replaceChildren(emptyState("umbrellas.empty"));
  panel.replaceChildren(
    h(
      "dl",
      { class: "stock" },
      ...["available", "lent", "overdue"]
        .filter((kind) => kind in stock)
        .map((kind) =>
          h(
            "div",
            { class: "figure" },
            h("dt", {}, text(`umbrellas.${kind}`)),
            h("dd", { "data-role": kind }, String(stock[kind])),
          ),
        ),
    ),
  );
}

// A section the lobby does not send (its feature is not installed) shows as empty.
export function renderPanels(lobby) {
  renderAlerts(document.getElementById("alerts"), lobby.alerts ?? []);
  renderCarts(document.getElementById("carts"), lobby.carts ?? []);
  renderUmbrellas(document.getElementById("umbrellas"), lobby.umbrellas ?? null);
}
