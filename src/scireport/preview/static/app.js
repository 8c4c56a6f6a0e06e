// scireport preview: shows the pages the server pushes, swapping only the changed images.
"use strict";

const view = {
  zoom: 1,            // page width as a multiple of its size at 96 dpi; 0 fits the window
  baseWidth: 794,     // CSS pixels of a page at 100 % (from the first page's image)
  state: null,
};

const $ = (id) => document.getElementById(id);

function imageUrl(page) {
  const sharp = (view.zoom || 1) * window.devicePixelRatio > 1.2;
  return `/pages/${page.digest}${sharp ? "@2x" : ""}.png`;
}

// The page nearest the top of the window, and how far it is scrolled past.
function readingPosition() {
  for (const figure of document.querySelectorAll("figure.page")) {
    const box = figure.getBoundingClientRect();
    if (box.bottom > 60) return { index: Number(figure.dataset.page), offset: box.top };
  }
  return null;
}

function restore(position) {
  if (!position) return;
  const figure = document.querySelector(`figure.page[data-page="${position.index}"]`);
  if (!figure) return;
  const drift = figure.getBoundingClientRect().top - position.offset;
  if (Math.abs(drift) > 1) window.scrollBy(0, drift);
}

function renderPages(pages) {
  const container = $("pages");
  const position = readingPosition();
  if (pages.length) view.baseWidth = pages[0].width;
  applyZoom();
  pages.forEach((page, i) => {
    const number = i + 1;
    let figure = container.children[i];
    if (!figure) {
      figure = document.createElement("figure");
      figure.className = "page";
      figure.dataset.page = String(number);
      figure.id = `page-${number}`;
      const img = document.createElement("img");
      img.alt = `page ${number}`;
      img.addEventListener("load", () => { img.dataset.loaded = img.dataset.digest; });
      figure.append(img, document.createElement("figcaption"));
      container.append(figure);
    }
    const img = figure.querySelector("img");
    figure.querySelector("figcaption").textContent = `${number} · ${page.label}`;
    if (img.dataset.digest !== page.digest) {  // changed page: the only images fetched
      img.width = page.width;
      img.height = page.height;
      img.dataset.digest = page.digest;
      img.src = imageUrl(page);
    }
  });
  while (container.children.length > pages.length) container.lastChild.remove();
  restore(position);
}

function renderNav(nav) {
  const list = $("contents");
  list.replaceChildren(...nav.map((entry) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = `#page-${entry.page}`;
    link.dataset.page = String(entry.page);
    const title = document.createElement("span");
    title.textContent = entry.title;
    const num = document.createElement("span");
    num.className = "num";
    num.textContent = String(entry.page);
    link.append(title, num);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      goTo(entry.page);
    });
    item.append(link);
    return item;
  }));
  filterNav();
}

function goTo(page) {
  const figure = $(`page-${page}`);
  if (figure) figure.scrollIntoView({ block: "start" });
}

function filterNav() {
  const text = $("jump").value.trim().toLowerCase();
  for (const item of $("contents").children) {
    item.hidden = Boolean(text) && !item.textContent.toLowerCase().includes(text);
  }
}

function renderFindings(list, items) {
  list.replaceChildren(...items.map((f) => {
    const item = document.createElement("li");
    item.className = `finding ${f.severity}`;
    const where = document.createElement("code");
    where.textContent = f.location;
    const rule = document.createElement("span");
    rule.className = "rule";
    rule.textContent = ` [${f.rule}] `;
    const field = f.path ? `${f.path}: ` : "";
    item.append(where, rule, document.createTextNode(field + f.message));
    return item;
  }));
}

function apply(state) {
  if (view.state && state.version <= view.state.version) return;
  view.state = state;
  const status = $("status");
  status.dataset.status = state.status;
  status.textContent = state.time ? `${state.message} · ${state.time}` : state.message;
  renderPages(state.pages);
  renderNav(state.nav);
  $("pages").classList.toggle("stale", Boolean(state.stale));
  // the last build's error stays shown while the next build runs, until one gets through
  const failed = Boolean(state.error);
  $("findings").hidden = !failed;
  $("findings-message").textContent = failed ? state.error : "";
  renderFindings($("findings-list"), failed ? state.findings : []);
  $("warnings").hidden = !state.warnings.length;
  renderFindings($("warnings-list"), state.warnings);
  document.body.dataset.version = String(state.version);
}

function applyZoom() {
  const root = document.documentElement.style;
  root.setProperty("--page-width", view.zoom ? `${view.baseWidth * view.zoom}px` : "100%");
  $("zoom-level").textContent = view.zoom ? `${Math.round(view.zoom * 100)}%` : "fit";
}

function setZoom(zoom) {
  const position = readingPosition();
  view.zoom = zoom;
  applyZoom();
  for (const figure of document.querySelectorAll("figure.page")) {
    const page = view.state.pages[Number(figure.dataset.page) - 1];
    const img = figure.querySelector("img");
    const url = imageUrl(page);
    if (page && !img.src.endsWith(url)) img.src = url;
  }
  restore(position);
}

function connect() {
  const events = new EventSource("/events");
  events.addEventListener("state", (event) => apply(JSON.parse(event.data)));
  events.addEventListener("error", () => {
    $("status").dataset.status = "failed";
    $("status").textContent = "disconnected from scireport preview; retrying…";
  });
}

$("zoom-in").addEventListener("click", () => setZoom(Math.min(4, (view.zoom || 1) * 1.25)));
$("zoom-out").addEventListener("click", () => setZoom(Math.max(0.25, (view.zoom || 1) / 1.25)));
$("zoom-fit").addEventListener("click", () => setZoom(0));
$("jump").addEventListener("input", filterNav);
$("jump").addEventListener("keydown", (event) => {
  if (event.key !== "Enter") return;
  const first = [...$("contents").children].find((item) => !item.hidden);
  if (first) goTo(Number(first.querySelector("a").dataset.page));
});
connect();
