"""The workloads: a generated project, and the same book for one WeasyPrint call and Typst."""

from __future__ import annotations

import json
import math
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .measure import StepFailed

FONT_DIR = "/usr/share/fonts/opentype/noto"
"""Where Typst finds Noto Sans CJK KR (it is given no system fonts)."""
FONT_FAMILY = "Noto Sans CJK KR"


@dataclass(frozen=True)
class Workload:
    """A generated project and the inputs of its naive and Typst runs."""

    label: str
    """``W50``, ``W500``."""
    cities: int
    """How many city profiles it has."""
    root: Path
    """The project folder."""
    profiles: list[Path]
    """Its profile files."""
    html: Path
    """The whole book as one HTML document (the naive run's input)."""
    typst: Path
    """The Typst source of the same book."""

    @property
    def edited(self) -> Path:
        """The profile the edit steps change (the middle one)."""
        return self.profiles[len(self.profiles) // 2]

    @property
    def timeout(self) -> float:
        """Seconds any one step may take before it is killed."""
        return 120 + 6 * self.cities


def prepare(out: Path, n: int, seed: int) -> Workload:
    """Generate the ``n``-city project under ``out`` (anew) and its naive and Typst inputs."""
    from workload import make_project

    label = f"W{n}"
    root = out / label.lower()
    if root.exists():
        shutil.rmtree(root)
    profiles = make_project(root, n, seed)
    fit_section_budgets(root)
    scratch = root / "bench"
    scratch.mkdir()
    html = scratch / "naive.html"
    html.write_text(naive_html(root), encoding="utf-8")
    typ = typst_sources(root, scratch / "typst")
    return Workload(label, n, root, profiles, html, typ)


def _plan(root: Path) -> Any:
    """The print edition plan of the project at ``root`` (its main language)."""
    from scireport.data import report_data
    from scireport.layouts import load_layout
    from scireport.plan import Edition, EditionPlan
    from scireport.project import load_project

    project = load_project(root)
    config = project.config
    if config is None:
        raise StepFailed(f"{root}: scireport.yaml does not validate")
    layout = load_layout(project.root, config.layout)
    edition = Edition(name="print", lang=config.main_lang)
    return EditionPlan(project, config, layout, edition, root / "build", report_data(project))


def fit_section_budgets(root: Path) -> dict[str, int]:
    """Raise the page budget of each report section to what it takes with this many cities.

    The default layout's ranking budget follows the number of cities (``rows_per_page``),
    and its page of leaders by area holds the top three of each area; with 500 generated
    cities, whose scores have one decimal, dozens tie there and the leaders take several
    pages. The designer of such a book raises ``extra_pages`` (or a fixed ``pages:``) to
    what the section takes, and so does this, in the project's copy of the layout. Returns
    the sections changed and their pages (none at W50).
    """
    import yaml

    from scireport.assemble import BookTemplates
    from scireport.plan import CITIES
    from scireport.typeset import typesetter_for

    plan = _plan(root)
    templates, starts = BookTemplates(plan), plan.start_pages()
    typesetter = typesetter_for(plan.allowed)
    changed = {}
    for section in plan.sections:
        if section.name in (CITIES, "contents"):
            continue
        html = templates.section(section, starts)
        pages = len(typesetter.render(html, plan.layout.root).pages)
        if pages > plan.section_budget(section):
            changed[section.name] = pages
    if changed:
        manifest = plan.layout.root / "layout.yaml"
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
        for entry in data["sections"]:
            if isinstance(entry, dict) and entry.get("name") in changed:
                section = next(s for s in plan.sections if s.name == entry["name"])
                more = changed[entry["name"]] - plan.section_budget(section)
                if "rows_per_page" in entry:
                    entry["extra_pages"] = entry.get("extra_pages", 0) + more
                else:
                    entry["pages"] = changed[entry["name"]]
        manifest.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return changed


def naive_html(root: Path) -> str:
    """The whole book as one HTML document, from scireport's templates and the layout's CSS.

    Every part of the book (sections, blank pages, cities) is rendered as the build renders
    it; their bodies follow each other in one document, each from a new page, under the
    head of the first (its page-number reset removed: the pages number themselves).
    """
    from scireport.assemble import BookTemplates

    plan = _plan(root)
    edition = plan.edition
    templates = BookTemplates(plan)
    starts = plan.start_pages()
    documents = []
    for part in plan.parts():
        if part.kind == "city":
            assert part.city is not None and part.city.profile is not None
            documents.append(templates.city(part.city.slug, part.city.profile, part.start))
        elif part.kind == "blank":
            documents.append(templates.blank(part.start))
        else:
            assert part.section is not None
            documents.append(templates.section(part.section, starts))
    head = re.sub(r"@page :first \{ counter-reset: page \d+ \}", "",
                  _between(documents[0], "<head>", "</head>"))  # fmt: skip
    bodies = []
    for document in documents:
        body = _between(document, "<body", "</body>")
        opening, _, rest = body.partition(">")
        classes = re.search(r'class="([^"]*)"', opening)
        name = classes.group(1) if classes else ""
        page = "page: cover; " if "cover" in name.split() else ""
        bodies.append(f'<div class="{name}" style="{page}break-before: page">'
                      f"{rest.removesuffix('</body>')}</div>")  # fmt: skip
    return "\n".join(
        ["<!DOCTYPE html>", f'<html lang="{edition.lang}">', head, "<body>", *bodies,
         "</body>", "</html>"]
    )  # fmt: skip


def _between(html: str, start: str, end: str) -> str:
    """The first ``start``...``end`` span of ``html``, both included."""
    i = html.find(start)
    j = html.find(end, i)
    if i < 0 or j < 0:
        raise StepFailed(f"the layout's HTML has no {start}...{end}: update naive_html()")
    return html[i : j + len(end)]


TYPST_TEMPLATE = r"""
#let data = json("book.json")
#let accent = cmyk(100%, 62%, 0%, 18%)
#let light = cmyk(12%, 5%, 0%, 0%)
#let muted = cmyk(0%, 0%, 0%, 60%)
#let ink = cmyk(0%, 0%, 0%, 90%)
#let report = data.report
#set document(title: report.title + " " + str(report.year), author: report.organisations)
#set text(font: "FONT", size: 9.6pt, lang: "ko", fill: ink)
#set par(justify: true, leading: 0.75em, spacing: 2.4mm)
#set page(
  paper: "a4",
  margin: (top: 20mm, right: 18mm, bottom: 26mm, left: 18mm),
  footer: context {
    set text(6.6pt, fill: muted)
    grid(columns: (1fr, auto), gutter: 4mm,
      [#text(fill: ink, weight: "bold")[
         #report.title #report.year · #report.organisations.join(" · ")] \
       #report.labels.contact: #report.contact.email · #report.contact.phone ·
       #report.contact.place \
       #report.copyright],
      text(9pt, weight: "bold", fill: accent, counter(page).display()))
  },
)
#let words(runs) = for run in runs {
  if run.at(1) { text(fill: accent, weight: "bold", run.at(0)) } else { run.at(0) }
}

#page(footer: none)[
  #place(top + left, dx: -18mm, dy: -20mm, rect(width: 210mm, height: 120mm, fill: accent))
  #v(30mm)
  #text(28pt, weight: "bold", fill: white, str(report.year))
  #par(justify: false, leading: 0.3em, text(30pt, weight: "bold", fill: white, report.title))
  #v(60mm)
  #for org in report.organisations [#text(10pt, weight: "bold", org) \ ]
  #text(8pt, fill: muted, report.copyright)
]

#for chunk in data.contents [
  #text(22pt, weight: "bold", fill: accent, report.labels.contents)
  #v(6mm)
  #table(
    columns: (42mm, 28mm, 1fr, 12mm), stroke: (x, y) => (bottom: 0.3pt + muted),
    inset: (x: 0pt, y: 1.6mm),
    ..chunk.map(e => (
      text(weight: "bold", fill: accent, link(label("city-" + e.slug), upper(e.name))),
      text(fill: muted, e.native), text(8pt, fill: muted, e.country),
      align(right, text(weight: "bold", str(e.page))),
    )).flatten()
  )
  #pagebreak()
]

#for city in data.cities [
  #place(top + left, dx: -18mm, dy: -20mm, rect(width: 210mm, height: 50mm, fill: accent))
  #block(height: 30mm, below: 6mm)[
    #v(2mm)
    #heading(level: 1, outlined: true,
      text(30pt, weight: "bold", fill: white, tracking: 0.04em, upper(city.name)))
    #label("city-" + city.slug)
    #text(10pt, weight: "bold", fill: light, upper(city.country))
  ]
  #block(fill: light, inset: (x: 5mm, y: 4mm), width: 100%, below: 6mm)[
    #text(10pt, weight: "bold", fill: accent)[ABOUT] #h(2mm)
    #text(10pt, weight: "bold", city.native)
    #v(1mm)
    #grid(columns: city.facts.len(), column-gutter: 8mm,
      ..city.facts.map(f => [#text(7.5pt, fill: muted, f.at(0)) \
        #text(13pt, weight: "bold", fill: accent, f.at(1))]))
    #v(1mm)
    #text(9pt, city.about)
  ]
  #block(below: 2mm, text(17pt, weight: "bold", city.headline.join("\n")))
  #block(below: 5mm, text(11pt, fill: accent, city.subtitle))
  #for para in city.body [#par(words(para))]
  #v(5mm)
  #block(breakable: false)[
    #text(10pt, weight: "bold", fill: accent, report.labels.initiatives)
    #line(length: 100%, stroke: 0.6pt + accent)
    #for item in city.initiatives [
      #text(weight: "bold", fill: accent, item.at(0)) #item.at(1) \
    ]
  ]
  #v(5mm)
  #block(breakable: false)[
    #text(10pt, weight: "bold", fill: accent, report.labels.scores)
    #line(length: 100%, stroke: 0.6pt + accent)
    #set text(8.5pt)
    #table(columns: (45mm, 1fr, 10mm), stroke: none, inset: (x: 0pt, y: 0.6mm),
      ..city.scores.map(s => (s.at(0),
        pad(x: 2mm, box(width: s.at(1) / 5 * 100%, height: 3mm, fill: accent)),
        align(right, text(weight: "bold", str(s.at(1)))))).flatten())
  ]
  #v(5mm)
  #block(breakable: false, text(7pt, fill: muted)[
    #text(8pt, weight: "bold", fill: accent, report.labels.sources) \
    #for source in city.sources [#source \ ]
  ])
  #pagebreak(to: "PARITY", weak: true)
]
"""


def typst_sources(root: Path, folder: Path) -> Path:
    """Write book.typ and book.json (same cities and text as the project) into ``folder``."""
    import yaml

    config = yaml.safe_load((root / "scireport.yaml").read_text(encoding="utf-8"))
    layout = yaml.safe_load((root / "layouts/default/layout.yaml").read_text(encoding="utf-8"))
    labels = layout["labels"][config.get("lang", "ko")]
    per_page = layout["toc_entries_per_page"]
    budget = layout["pages_per_city"]
    profiles = sorted((root / "profiles").glob("*.yaml"))
    cities = []
    for path in profiles:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        about = data.get("about", {})
        facts = []
        if about.get("area_km2") is not None:
            facts.append([labels["area"], f"{_number(about['area_km2'])} km²"])
        if about.get("population") is not None:
            facts.append([labels["population"], _number(about["population"])])
        if about.get("national_share_pct") is not None:
            facts.append([labels["share"], f"{_number(about['national_share_pct'])}%"])
        cities.append(
            {
                "slug": path.stem,
                "name": data["city"],
                "country": data["country"],
                "native": data.get("native_name") or "",
                "facts": facts,
                "about": about.get("text", ""),
                "headline": data["headline"].strip("\n").splitlines(),
                "subtitle": data.get("subtitle", ""),
                "body": [_runs(p) for p in re.split(r"\n\s*\n", data["body"].strip())],
                "initiatives": [[i["name"], i["text"]] for i in data.get("initiatives", [])],
                "scores": [
                    [labels.get(key, key), value] for key, value in data.get("scores", {}).items()
                ],
                "sources": data.get("sources", []),
            }
        )
    cities.sort(key=lambda c: c["name"].casefold())
    contents_pages = max(1, math.ceil(len(cities) / per_page))
    first = 2 + contents_pages
    entries = [
        {
            "slug": c["slug"],
            "name": c["name"],
            "native": c["native"],
            "country": c["country"],
            "page": first + i * budget,
        }
        for i, c in enumerate(cities)
    ]
    book = {
        "report": {**config, "labels": labels},
        "contents": [entries[i : i + per_page] for i in range(0, len(entries), per_page)],
        "cities": cities,
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "book.json").write_text(json.dumps(book, ensure_ascii=False), encoding="utf-8")
    parity = "odd" if first % 2 else "even"
    source = TYPST_TEMPLATE.replace("FONT", FONT_FAMILY).replace("PARITY", parity)
    (folder / "book.typ").write_text(source, encoding="utf-8")
    return folder / "book.typ"


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _runs(paragraph: str) -> list[list[Any]]:
    """A Markdown paragraph as (text, bold) runs: only ``**bold**`` is used by the workload."""
    parts = paragraph.replace("\n", " ").split("**")
    return [[part, i % 2 == 1] for i, part in enumerate(parts) if part]
