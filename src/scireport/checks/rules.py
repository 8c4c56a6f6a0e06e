"""The validation rules: each id with its family and documentation (docs/rules.md).

Every rule id a check emits is registered here, with the text ``docs/rules.md`` shows for it;
``scripts/rules_doc.py`` writes that file from this registry and from preflight's, and a
test fails when the file is stale or a check emits an unregistered id.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    """A group of rules, one section of the documentation."""

    title: str
    """Section title."""
    intro: str
    """Markdown before the first rule of the section."""


@dataclass(frozen=True)
class RuleDoc:
    """One validation rule."""

    id: str
    """The stable rule id findings carry."""
    family: str
    """Title of its :class:`Family`."""
    note: str
    """What the heading adds after the id, e.g. ``(warning)``."""
    doc: str
    """Markdown: what triggers it, with an example and the finding it gives."""


INTRO = "# Validation rules\n\n`scireport validate` reports every problem it finds, each with the file, line, column,\nfield path, a stable **rule id**, a severity and a message that says what to do:\n\n```text\nprofiles/seoul.yaml:6:3 about.popluation: unknown field 'popluation'; did you mean 'population'? [schema-unknown-field]\n```\n\n- **error**: `validate` exits 1 and `build` refuses to run.\n- **warning**: reported, exit 0; `--strict` turns every warning into an error.\n- `--format json` prints the findings as objects with the keys\n  `file, line, column, path, rule, severity, message`; `--format github` prints workflow\n  annotations. Exit codes: 0 clean, 1 errors, 2 usage (bad option, no project).\n- `--no-layout` skips only the page-fit check (`fit-overflow`), the one that lays pages out.\n\nRule ids are stable: scripts and CI may filter on them. Each rule below has a YAML\nexample that triggers it and the finding it produces. Examples show a profile\n(`profiles/seoul.yaml`) unless they say otherwise; lines not shown are a valid profile.\nPDF checks of `build` (the `pdf-*` rules of preflight) are not part of `validate` and\nare described with preflight.\n\nContents: [YAML](#yaml) · [schema](#schema) · [plausibility](#plausibility) ·\n[across profiles](#across-profiles) · [index data](#index-data) · [translations](#translations) ·\n[images](#images) · [glyphs](#glyphs) · [sections](#sections) · [layout and fit](#layout-and-fit) ·\n[PDF checks](#pdf-checks-preflight)\n\n"
"""Markdown of docs/rules.md before the first family."""

FAMILIES: tuple[Family, ...] = (
    Family(
        "YAML",
        "\nFiles are read with a safe loader that keeps the position of every key and value. Nothing\nis ever constructed from a tag, and a bad file gives findings, never a traceback.\n\n",
    ),
    Family(
        "Schema",
        '\nProfiles, `scireport.yaml` and layout manifests are checked against the models in\n`scireport/models.py` (the same models `scireport schema` exports as JSON Schema). Numbers\nmust be written as numbers: `"9500000"` in quotes or `yes` is not read as one.\n\n',
    ),
    Family("Plausibility", "\nFigures that have the right type but cannot be right.\n\n"),
    Family(
        "Across profiles",
        "\nThese checks compare all profiles at once and stay near-linear in their number: text is\nhashed into 8-word shingles and only profiles sharing a hash are read closely; city names\nare looked up from each profile's words, never by testing every pair of profiles.\n\n",
    ),
    Family(
        "Index data",
        "\nThe index's numbers (see \"The index\" in the README): the table `index.data` names in\n`scireport.yaml`, the previous edition's table `index.previous.data`, and the scores a\nsmall project may write in a profile under `scores:`. Tables are CSV (UTF-8) or XLSX, and\nevery finding is located as a spreadsheet user reads it: `data/scores.csv:7:3` is line 7,\nthird field; `data/scores.xlsx:Scores!C7` a cell of the sheet Scores; a finding about the\nwhole file names only the file, and one about which file or sheet is read (`data-path`,\n`data-too-large`, `data-sheet`) is at its setting in `scireport.yaml`. A build with any\nerror here is refused and writes nothing.\n\nThe previous edition's table is checked like this edition's, except that it may have rows\nfor cities the project no longer has and blank scores (nothing is averaged from it), and\nthat a city may be missing from it (it is then new). `validate FILE`, which loads only some\nprofiles, does not report rows or groups naming cities it did not load.\n\nEach example changes one thing in this project: two valid profiles (`profiles/seoul.yaml`,\n`profiles/busan.yaml`), the default layout, and\n\n```yaml\n# scireport.yaml\ntitle: Smart Cities Index Report\nyear: 2025\norganisations: [DTTM, ISi Lab, IfM Engage]\ncontact: {email: index@example.org, phone: \"+82 2 2123 0000\", place: Seoul}\ncopyright: © 2025 the authors\nlayout: default\nindex:\n  areas:\n    - id: urban_intelligence\n      label: {ko: 도시 지능, en: Urban Intelligence}\n    - id: smart_city_governance\n      label: {ko: 스마트시티 거버넌스, en: Smart City Governance}\n  groups:\n    korea:\n      label: {ko: 한국 도시, en: Korean cities}\n      cities: [seoul, busan]\n  data: data/scores.csv\n```\n\n```text\n# data/scores.csv\nslug,city,urban_intelligence,smart_city_governance\nseoul,Seoul,4.5,4.3\nbusan,Busan,3.9,3.8\n```\n\n",
    ),
    Family(
        "Translations",
        '\nEvery printed text must exist in the language being built (`languages:` in `scireport.yaml`,\nthe main one first; see "Languages" in the README). A profile\'s plain text is in its `lang`;\na bilingual text (`{ko: ..., en: ...}`) has the languages it gives; plain text of\n`scireport.yaml` prints in every language unless it holds Hangul (then it is Korean). Names\n(city, country, initiative names) and sources are not translated and not checked.\n`validate` checks the main language; `validate --lang en` (or `--lang all`) checks the\nlanguages that `build` with the same `--lang` builds.\n\n',
    ),
    Family(
        "Images",
        "\nEach `images[].path` of a profile, against the layout's `image_min_ppi` (default\n`[150, 300]`).\n\n",
    ),
    Family("Glyphs", "\n"),
    Family(
        "Sections",
        "\nThe layout declares the book's report-wide sections (see \"Sections of the book\" in the\nREADME). A section with `text:` prints the Markdown file that `texts:` in `scireport.yaml`\nnames for it, one per language; a section whose text `texts:` does not name is left out of\nthe book. The Markdown of these files is checked like a profile's body (`markdown-image`).\n\n",
    ),
    Family("Layout and fit", "\n"),
)
"""The families, in documentation order."""

VALIDATION_RULES: tuple[RuleDoc, ...] = (
    RuleDoc(
        "file-unreadable",
        "YAML",
        "",
        "\nThe file cannot be read at all (permissions, a folder named like a profile, I/O error).\n\n```text\n$ mkdir profiles/seoul.yaml\nprofiles/seoul.yaml:1:1 cannot read the file: Is a directory [file-unreadable]\n```\n\n",
    ),
    RuleDoc(
        "file-outside-project",
        "YAML",
        "",
        "\nThe file resolves outside the project folder, usually through a symlink (`profiles/x.yaml\n-> /etc/shadow`). It is refused unread, so nothing of it is echoed in findings.\n\n```text\nprofiles/x.yaml:1:1 the file lies outside the project (a symlink?); scireport reads only files inside the project folder: copy it in [file-outside-project]\n```\n\nThe same rule refuses a `profiles:` folder in `scireport.yaml` that lies outside the project\n(`../elsewhere`, `/etc`):\n\n```text\nscireport.yaml:3:11 profiles: '/etc' lies outside the project folder; scireport reads only files inside the project: name a folder inside it [file-outside-project]\n```\n\n",
    ),
    RuleDoc(
        "file-not-regular",
        "YAML",
        "",
        "\nThe file is a pipe, a device or a socket (a FIFO would block the build for ever, a link to\n`/dev/zero` would never end). Only regular files are read.\n\n```text\nprofiles/x.yaml:1:1 this is not a regular file (a pipe, a device or a socket); use a plain file [file-not-regular]\n```\n\n",
    ),
    RuleDoc(
        "yaml-too-large",
        "YAML",
        "",
        "\nThe file is over 1 MiB (`sources.MAX_FILE_BYTES`); a profile is a few kilobytes, so it\nis refused. The limit is counted while reading (at most one byte more than the limit is\never read), so a file whose size the system misreports cannot get past it.\n\n```yaml\ncity: Seoul\nbody: ...           # followed by a megabyte of pasted data\n```\n\n```text\nprofiles/seoul.yaml:1:1 file is over the 1,048,576-byte limit for a profile; split it or remove embedded data [yaml-too-large]\n```\n\n",
    ),
    RuleDoc(
        "yaml-bom",
        "YAML",
        "",
        "\nThe file starts with a UTF-8 byte-order mark (some Windows editors add one).\n\n```text\n$ printf '\\xef\\xbb\\xbfcity: Seoul\\n' > profiles/seoul.yaml\nprofiles/seoul.yaml:1:1 file starts with a byte-order mark; save it as UTF-8 without BOM [yaml-bom]\n```\n\n",
    ),
    RuleDoc(
        "yaml-encoding",
        "YAML",
        "",
        "\nThe file is not UTF-8 text: an invalid byte (Latin-1, UTF-16...), a NUL byte, or a\ncontrol character YAML forbids. The position is the offending byte or character.\n\n```yaml\ncity: Se\\xffoul          # the byte 0xFF, as saved by a Latin-1 editor\n```\n\n```text\nprofiles/seoul.yaml:1:9 file is not valid UTF-8 (byte 0xff); save it as UTF-8 [yaml-encoding]\n```\n\n",
    ),
    RuleDoc(
        "yaml-empty",
        "YAML",
        "",
        "\nThe file holds nothing but blank lines and comments.\n\n```yaml\n# Seoul: to be written\n```\n\n```text\nprofiles/seoul.yaml:1:1 file is empty; write the profile's fields or delete the file [yaml-empty]\n```\n\n",
    ),
    RuleDoc(
        "yaml-tab",
        "YAML",
        "",
        "\nA tab is used to indent a line where YAML needs spaces. (A tab inside a text, or on an\notherwise blank line, is fine.)\n\n```yaml\ncity: Seoul\nabout:\n\tpopulation: 9500000    # indented with a tab\n```\n\n```text\nprofiles/seoul.yaml:3:1 a tab is used for indentation; indent with spaces instead [yaml-tab]\n```\n\n",
    ),
    RuleDoc(
        "yaml-syntax",
        "YAML",
        "",
        "\nThe text is not valid YAML, or a value cannot be read as the type its tag or form says\n(an impossible date, `!!int abc`), or the nesting is too deep. When the problem started\nearlier (an unclosed bracket or quote), the message says where.\n\n```yaml\ncity: Seoul\naliases: [서울특별시, Seoul Metropolitan City\nlang: ko\n```\n\n```text\nprofiles/seoul.yaml:3:5 YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence started at line 2, column 10); fix the line shown [yaml-syntax]\n```\n\n",
    ),
    RuleDoc(
        "yaml-not-mapping",
        "YAML",
        "",
        "\nThe top level is a list or a single value instead of `key: value` fields.\n\n```yaml\n- city: Seoul\n- city: Busan\n```\n\n```text\nprofiles/seoul.yaml:1:1 the top level must be a mapping of fields (key: value), not a list [yaml-not-mapping]\n```\n\n",
    ),
    RuleDoc(
        "yaml-key",
        "YAML",
        "",
        "\nA key is a list or a mapping instead of a field name.\n\n```yaml\ncity: Seoul\n? [area, population]\n: [605, 9500000]\n```\n\n```text\nprofiles/seoul.yaml:2:3 a key must be plain text (a field name); write key: value [yaml-key]\n```\n\n",
    ),
    RuleDoc(
        "yaml-tag",
        "YAML",
        "",
        "\nA tag other than the plain YAML types (`!!python/object...`, `!!binary`, `!!set`, custom\n`!tags`, merge keys `<<`). The value is refused without constructing anything.\n\n```yaml\ncity: !!python/object/apply:os.system [rm -rf /]\n```\n\n```text\nprofiles/seoul.yaml:1:7 city: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed (profiles hold plain text, numbers and lists); remove it [yaml-tag]\n```\n\n",
    ),
    RuleDoc(
        "yaml-duplicate-key",
        "YAML",
        "",
        "\nThe same key twice in one mapping. PyYAML silently keeps the last one, losing the first:\nthe finding is at the second and names the line of the first.\n\n```yaml\ncity: Seoul\ncountry: The Republic of Korea\ncity: Busan\n```\n\n```text\nprofiles/seoul.yaml:3:1 city: key 'city' appears twice (first at line 1); YAML would keep only this one and lose the other: merge them [yaml-duplicate-key]\n```\n\n",
    ),
    RuleDoc(
        "yaml-alias-bomb",
        "YAML",
        "",
        '\nAnchors and aliases that expand to more than 50,000 values (`sources.MAX_NODES`): a\n"billion laughs" file fails fast instead of eating memory.\n\n```yaml\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n```\n\n```text\nprofiles/seoul.yaml:1:1 aliases expand to more than 50,000 values; remove the nested aliases [yaml-alias-bomb]\n```\n\n',
    ),
    RuleDoc(
        "schema-required",
        "Schema",
        "",
        "\nA required field is missing. The finding is at the mapping that lacks it.\n\n```yaml\ncity: Seoul\ncountry: The Republic of Korea\nbody: 서울은 수도다.\n```\n\n```text\nprofiles/seoul.yaml:1:1 headline: required field 'headline' is missing; add it [schema-required]\n```\n\n",
    ),
    RuleDoc(
        "schema-unknown-field",
        "Schema",
        "",
        "\nA field the model does not have, with the closest known name when there is one (or the\nlist of allowed names).\n\n```yaml\nabout:\n  popluation: 9500000\n```\n\n```text\nprofiles/seoul.yaml:2:3 about.popluation: unknown field 'popluation'; did you mean 'population'? [schema-unknown-field]\n```\n\n",
    ),
    RuleDoc(
        "schema-type",
        "Schema",
        "",
        "\nA value of the wrong kind: a list where text belongs, text where a number belongs, a\nnumber written in quotes or as `yes`/`no`.\n\n```yaml\nabout:\n  population: about 9.5 million\n```\n\n```text\nprofiles/seoul.yaml:2:15 about.population: Input should be a valid integer, unable to parse string as an integer (got 'about 9.5 million'); write a plain number without units [schema-type]\n```\n\n",
    ),
    RuleDoc(
        "schema-range",
        "Schema",
        "",
        "\nA number outside its range: population and area above 0, shares 0-100, scores 0-5 (the\nindex's scale), an image's `width_mm` up to 400, a layout's `pages_per_city` 1-16...\n\n```yaml\nabout:\n  area_km2: -605\n```\n\n```text\nprofiles/seoul.yaml:2:13 about.area_km2: Input should be greater than 0 (got -605) [schema-range]\n```\n\n",
    ),
    RuleDoc(
        "schema-length",
        "Schema",
        "",
        '\nAn empty text or list where one is required (`city: ""`, `organisations: []`).\n\n```yaml\ncity: ""\n```\n\n```text\nprofiles/seoul.yaml:1:7 city: this text is empty; write it, or remove the field if it is optional [schema-length]\n```\n\n',
    ),
    RuleDoc(
        "schema-enum",
        "Schema",
        "",
        "\nA value outside a fixed set: the language codes `ko` and `en`.\n\n```yaml\nlang: kr\n```\n\n```text\nprofiles/seoul.yaml:1:7 lang: Input should be 'ko' or 'en' (got 'kr') [schema-enum]\n```\n\n",
    ),
    RuleDoc(
        "schema-pattern",
        "Schema",
        "",
        "\nA value of the wrong form: a `slug` must be lowercase ASCII letters, digits and hyphens.\n\n```yaml\nslug: Seoul City\n```\n\n```text\nprofiles/seoul.yaml:1:7 slug: a slug is lowercase letters, digits and hyphens, like los-angeles (got 'Seoul City') [schema-pattern]\n```\n\n",
    ),
    RuleDoc(
        "schema-value",
        "Schema",
        "",
        "\nA value that breaks a rule of its own: a text with neither `ko:` nor `en:`, a land-use\nshare outside 0-100, an e-mail or phone number in `scireport.yaml` that is not one,\nlayout margins that leave no room.\n\n```yaml\n# scireport.yaml\ncontact:\n  email: index-at-example.org\n```\n\n```text\nscireport.yaml:2:10 contact.email: 'index-at-example.org' is not an e-mail address (name@example.org) [schema-value]\n```\n\n",
    ),
    RuleDoc(
        "sanity-density",
        "Plausibility",
        "",
        "\nPopulation over area outside what cities on Earth reach (1 to 60,000 people per km²):\nusually hectares or m² typed as km², or a digit too many.\n\n```yaml\nabout:\n  area_km2: 6.05\n  population: 9500000\n```\n\n```text\nprofiles/seoul.yaml:3:15 about.population: population 9,500,000 on 6.05 km² is 1,570,248 people/km², outside 1-60,000: check the units (km², not ha or m²) and the figures [sanity-density]\n```\n\n",
    ),
    RuleDoc(
        "sanity-share",
        "Plausibility",
        "",
        "\nThe national share disagrees with population / national population (by more than 0.6\npoints), or the city is larger than its country.\n\n```yaml\nabout:\n  population: 9500000\n  national_population: 51600000\n  national_share_pct: 40\n```\n\n```text\nprofiles/seoul.yaml:4:23 about.national_share_pct: national share 40.0% does not match population / national population = 18.4%: correct the population, the national population or the share [sanity-share]\n```\n\n",
    ),
    RuleDoc(
        "sanity-sum",
        "Plausibility",
        "",
        "\nA percentage breakdown that adds up to more than 100.\n\n```yaml\nabout:\n  population: 9500000\n  land_use_pct: {green: 60, homes: 50}\n```\n\n```text\nprofiles/seoul.yaml:3:17 about.land_use_pct: the shares add up to 110%, more than 100%: correct the shares [sanity-sum]\n```\n\n",
    ),
    RuleDoc(
        "about-no-facts",
        "Plausibility",
        " (warning)",
        "\nThe ABOUT block has no figure at all (no area, population or national share).\n\n```yaml\nabout:\n  text: 서울은 대한민국의 수도다.\n```\n\n```text\nprofiles/seoul.yaml:1:1 about: the ABOUT block has no figures: give at least area_km2 or population [about-no-facts]\n```\n\n",
    ),
    RuleDoc(
        "sources-missing",
        "Plausibility",
        " (warning)",
        "\nThe profile names no source for its facts and figures.\n\n```yaml\ncity: Seoul\n# ... no sources: list\n```\n\n```text\nprofiles/seoul.yaml:1:1 sources: no sources: name where the figures come from [sources-missing]\n```\n\n",
    ),
    RuleDoc(
        "markdown-image",
        "Plausibility",
        " (warning)",
        "\nMarkdown image syntax in a body (or in an editorial text of `texts:`). The body's Markdown\nrenders emphasis, lists and links but not images, so `![...](...)` would print as written;\na picture goes under the profile's `images:`, which places it with its caption, credit and\nprinted width and checks its resolution. Image syntax inside a code span is left alone.\n\n```yaml\nbody: |\n  서울시는 통신망을 하나로 묶고 있다.\n  ![지도](images/seoul-map.png)\n```\n\n```text\nprofiles/seoul.yaml:3:3 body: ![지도](images/seoul-map.png) would print literally: Markdown images are not rendered in the text; remove it and list the picture under the profile's images: (images: [{path: images/seoul-map.png, caption: 지도}]) [markdown-image]\n```\n\n",
    ),
    RuleDoc(
        "placeholder",
        "Plausibility",
        " (warning; an error in `build`)",
        "\nA text still starts with the `TODO` that `new-city` writes.\n\n```yaml\nheadline: 'TODO: headline'\n```\n\n```text\nprofiles/seoul.yaml:1:11 headline: still a placeholder: write this text [placeholder]\n```\n\n",
    ),
    RuleDoc(
        "cross-duplicate-slug",
        "Across profiles",
        "",
        "\nTwo profiles with the same slug (the `slug:` field, or the file name): their PDFs would\noverwrite each other.\n\n```yaml\n# profiles/busan.yaml\ncity: Busan\nslug: seoul\n```\n\n```text\nprofiles/seoul.yaml:1:1 slug 'seoul' is also used by profiles/busan.yaml; give each city its own slug [cross-duplicate-slug]\n```\n\n",
    ),
    RuleDoc(
        "cross-duplicate-city",
        "Across profiles",
        "",
        "\nTwo profiles for the same city (same English name).\n\n```yaml\n# profiles/seoul.yaml and profiles/seoul-2.yaml, both:\ncity: Seoul\n```\n\n```text\nprofiles/seoul.yaml:1:7 city: city 'Seoul' already has a profile: profiles/seoul-2.yaml; merge the two profiles or delete one [cross-duplicate-city]\n```\n\n",
    ),
    RuleDoc(
        "cross-duplicate-text",
        "Across profiles",
        "",
        "\nA paragraph, or a run of at least 12 words, that two profiles share word for word (a\nwhole paragraph of 8 to 11 words counts too). Both files get a finding, at the first\nshared word, naming the other file and line. Ignored: runs shorter than that, the\n`sources` lists, city and country names, and boilerplate that more than 3 profiles share.\nThis is the check that catches a Los Angeles page carrying Seoul's text.\n\n```yaml\n# profiles/seoul.yaml (lines 6-9)\nbody: |\n  서울은 수도다.\n\n  시민이 날마다 겪는 불편에서 출발해 데이터를 모으고 그 결과를 정책 설계에 곧바로 반영한다.\n\n# profiles/los-angeles.yaml (lines 6-7)\nbody: |\n  서울의 정책은 시민이 날마다 겪는 불편에서 출발해 데이터를 모으고 그 결과를 정책 설계에 곧바로 반영한다.\n```\n\n```text\nprofiles/los-angeles.yaml:7:11 body: paragraph 1 repeats 13 words of profiles/seoul.yaml:9 (body, paragraph 2) word for word; each city's profile needs its own text: rewrite one of them [cross-duplicate-text]\nprofiles/seoul.yaml:9:3 body: paragraph 2 repeats 13 words of profiles/los-angeles.yaml:7 (body, paragraph 1) word for word; each city's profile needs its own text: rewrite one of them [cross-duplicate-text]\n```\n\n",
    ),
    RuleDoc(
        "cross-wrong-city",
        "Across profiles",
        "",
        "\nA profile's text names another profile's city (its English name, `native_name` or an\n`aliases` entry) more often than its own. The finding is at the first mention. Names\nmatch at the start of a word, longest first (`New York` is not `York`); Korean particles\nmay follow a name (`서울은`, `LA의`), Latin letters may not (`LAPD` is not `LA`).\nCity, country and sources fields are not counted.\n\n```yaml\n# profiles/los-angeles.yaml, from line 6 (its native_name is 로스앤젤레스;\n# Seoul's profile has native_name: 서울)\nbody: |\n  서울의 정책은 시민이 날마다 겪는 불편에서 출발한다.\n\n  서울은 빠르다.\n```\n\n```text\nprofiles/los-angeles.yaml:7:3 body: the text names Seoul (profiles/seoul.yaml) 2 times, first here ('서울'), but Los Angeles only 0; it looks like Seoul's text: write Los Angeles's own [cross-wrong-city]\n```\n\n",
    ),
    RuleDoc(
        "slug-invalid",
        "Across profiles",
        "",
        "\nA profile without a `slug:` takes its slug from its file name, which must then be\nlowercase ASCII letters, digits and hyphens: the slug names the city's PDF and its links.\n\n```text\nprofiles/São Paulo.yaml:1:1 the file name gives the slug 'São Paulo', which is not lowercase ASCII letters, digits and hyphens: rename the file or set slug: [slug-invalid]\n```\n\n",
    ),
    RuleDoc(
        "config-order",
        "Across profiles",
        "",
        "\n`order:` in `scireport.yaml` names a slug no profile has (a typo would silently move the\ncity among the alphabetical ones) or names one twice.\n\n```yaml\norder: [seoul, seol]\n```\n\n```text\nscireport.yaml:16:16 order[1]: no profile has the slug 'seol'; did you mean 'seoul'? [config-order]\n```\n\n",
    ),
    RuleDoc(
        "data-path",
        "Index data",
        "",
        "\nThe table `index.data` (or `index.previous.data`) names is not a file in the project, or it\nlies outside the project folder (an absolute path, `..`, a symbolic link out of it): nothing\noutside the project is read. A folder, a named pipe (FIFO), a socket or a device is named for\nwhat it is and never opened (reading a FIFO would wait forever); for a folder the message\nlists the tables in it. The finding is at the path in `scireport.yaml`.\n\n```yaml\n# scireport.yaml, line 17\n  data: data/score.csv\n```\n\n```text\nscireport.yaml:17:9 index.data: data/score.csv: no such file; create it or correct the path [data-path]\n```\n\n```yaml\n  data: ../shared/scores.csv\n```\n\n```text\nscireport.yaml:17:9 index.data: ../shared/scores.csv is outside the project folder: keep data tables in the project (e.g. data/scores.csv) [data-path]\n```\n\n```yaml\n  data: data\n```\n\n```text\nscireport.yaml:17:9 index.data: data is a folder, not a table: name the table file in it (data/scores.csv) [data-path]\n```\n\n```text\n$ rm data/scores.csv && mkfifo data/scores.csv\nscireport.yaml:17:9 index.data: data/scores.csv is a named pipe (FIFO), not a file: scireport reads a table only from a regular file; save the table as a .csv or .xlsx file and name that file here [data-path]\n```\n\n",
    ),
    RuleDoc(
        "data-format",
        "Index data",
        "",
        "\nThe table's file name ends neither in `.csv` nor in `.xlsx` (an `.ods`, `.xls` or\n`.numbers` file): save it from the spreadsheet as one of the two.\n\n```yaml\n# scireport.yaml, line 17\n  data: data/scores.ods\n```\n\n```text\ndata/scores.ods .ods is not a table format scireport reads: give a .csv (UTF-8) or .xlsx file [data-format]\n```\n\n",
    ),
    RuleDoc(
        "data-too-large",
        "Index data",
        "",
        "\nThe table is over 20 MiB (`tables.MAX_TABLE_BYTES`); a 50-city table is a few kilobytes, so\n`scireport.yaml` most likely names another file (an export of a whole database, a workbook\nfull of images or pasted texts): name the right file, or save the index's rows and columns\nalone. As for profiles, the limit is counted while reading. The finding is at the path in\n`scireport.yaml`.\n\n```text\n$ head -c 22000000 /dev/zero | tr '\\0' x >> data/scores.csv\nscireport.yaml:17:9 index.data: data/scores.csv is over the 20,971,520-byte limit, and a table of 50 cities is a few kilobytes: check that this is the right file, and keep in it only the index's rows and columns [data-too-large]\n```\n\n",
    ),
    RuleDoc(
        "data-unreadable",
        "Index data",
        "",
        "\nThe file cannot be read (permissions, an I/O error), or an `.xlsx` file is not a workbook\n(a CSV file renamed, a damaged download).\n\n```text\n$ chmod 000 data/scores.csv     # then validate as a user other than root\ndata/scores.csv cannot read the table: Permission denied [data-unreadable]\n```\n\n```text\n$ mv data/scores.csv data/scores.xlsx     # and data: data/scores.xlsx\ndata/scores.xlsx cannot read the file as an XLSX workbook (not a spreadsheet): save it from the spreadsheet as .xlsx or .csv [data-unreadable]\n```\n\n",
    ),
    RuleDoc(
        "data-encoding",
        "Index data",
        "",
        '\nA CSV file that is not UTF-8: saved as Excel\'s plain "CSV" (Latin-1 or Windows-1252 on many\nsystems) or as UTF-16 ("Unicode text"). Save it as "CSV UTF-8 (comma delimited)"; the\nbyte-order mark Excel writes then is fine. The line is that of the first byte that is not\nUTF-8.\n\n```text\n# data/scores.csv, saved as Latin-1\nslug,city,urban_intelligence,smart_city_governance\nseoul,Seoul,4.5,4.3\nbusan,Busan,3.9,3.8\nsao-paulo,São Paulo,3.1,3.0\n```\n\n```text\ndata/scores.csv:4:1 the CSV file is not UTF-8 (byte 0xe3 on line 4): save it as \'CSV UTF-8\' (comma delimited) [data-encoding]\n```\n\n```text\n$ iconv -f UTF-8 -t UTF-16 data/scores.csv > x && mv x data/scores.csv\ndata/scores.csv the CSV file is UTF-16; save it as \'CSV UTF-8\' (comma delimited) [data-encoding]\n```\n\n',
    ),
    RuleDoc(
        "data-syntax",
        "Index data",
        "",
        '\nThe CSV file cannot be parsed from this line on: a field is longer than 131,072 characters\n(a text pasted into a cell, or a quote opened and never closed, which runs the following\nlines into one field). The rows before it are read. In a short file an unclosed quote gives\nno such error, but the rows after it are lost (`data-missing-city`).\n\n```text\n# data/scores.csv\nslug,city,urban_intelligence,smart_city_governance,notes\nseoul,Seoul,4.5,4.3,\nbusan,Busan,3.9,3.8,\ntokyo,Tokyo,4.1,3.9,"BBBB...   (140,000 characters)"\n```\n\n```text\ndata/scores.csv:4:1 the CSV file cannot be read here: field larger than field limit (131072) [data-syntax]\n```\n\n',
    ),
    RuleDoc(
        "data-sheet",
        "Index data",
        "",
        "\n`index.sheet` (or `index.previous.sheet`) names a sheet the workbook does not have. Without\n`sheet:`, the first sheet is read. The finding is at the `sheet:` setting in `scireport.yaml`\nand lists the workbook's sheets.\n\n```yaml\n# scireport.yaml, lines 17-18 (the workbook has one sheet, Scores)\n  data: data/scores.xlsx\n  sheet: Scores 2025\n```\n\n```text\nscireport.yaml:18:10 index.sheet: data/scores.xlsx has no sheet 'Scores 2025' (its sheets: 'Scores'): name one of them, or remove the sheet: line to read the first sheet [data-sheet]\n```\n\n```yaml\n# scireport.yaml, lines 17-21\n  data: data/scores.xlsx\n  previous:\n    year: 2021\n    data: data/scores.xlsx\n    sheet: Scores 2021\n```\n\n```text\nscireport.yaml:21:12 index.previous.sheet: data/scores.xlsx has no sheet 'Scores 2021' (its sheets: 'Scores'): name one of them, or remove the sheet: line to read the first sheet [data-sheet]\n```\n\n",
    ),
    RuleDoc(
        "data-empty",
        "Index data",
        "",
        "\nThe table has no header row: the file (or the sheet) is empty or holds only blank rows.\n\n```text\n$ : > data/scores.csv\ndata/scores.csv the table is empty: add a header row [data-empty]\n```\n\n",
    ),
    RuleDoc(
        "data-no-slug",
        "Index data",
        "",
        "\nThe header (the first row that is not blank) has no `slug` column, so no row can be matched\nwith a profile. Column names are read without regard to case (`Slug` is fine).\n\n```text\n# data/scores.csv\ncity,urban_intelligence,smart_city_governance\nSeoul,4.5,4.3\nBusan,3.9,3.8\n```\n\n```text\ndata/scores.csv:1:1 the header has no 'slug' column: add one naming each row's city by its slug (the profile's file name, e.g. seoul) [data-no-slug]\n```\n\n",
    ),
    RuleDoc(
        "data-duplicate-column",
        "Index data",
        "",
        "\nThe same column name twice in the header: only the first is read.\n\n```text\n# data/scores.csv\nslug,city,urban_intelligence,smart_city_governance,urban_intelligence\nseoul,Seoul,4.5,4.3,4.5\nbusan,Busan,3.9,3.8,3.9\n```\n\n```text\ndata/scores.csv:1:5 column 'urban_intelligence' appears twice: keep one [data-duplicate-column]\n```\n\n",
    ),
    RuleDoc(
        "data-unknown-column",
        "Index data",
        "",
        "\nA column that is neither `slug`, an area id of `index.areas`, an ABOUT number (`area_km2`,\n`population`, `national_population`) nor a column for the people keeping the sheet (`city`,\n`country`, `name`, `native_name`, `notes`, which are ignored); the message gives the closest\nknown name, or the allowed ones. Its cells are not read. A column with an empty header cell\nis ignored.\n\n```text\n# data/scores.csv\nslug,city,urban_inteligence,smart_city_governance\nseoul,Seoul,4.5,4.3\nbusan,Busan,3.9,3.8\n```\n\n```text\ndata/scores.csv:1:3 unknown column 'urban_inteligence'; did you mean 'urban_intelligence'? (areas are declared in scireport.yaml's index.areas) [data-unknown-column]\n```\n\n",
    ),
    RuleDoc(
        "data-unknown-slug",
        "Index data",
        "",
        "\nA row for a slug no profile has (a typo, or a city whose profile was removed), with the\nclosest slug when there is one. The row is not used. Not reported for the previous\nedition's table, where cities that have left are expected.\n\n```text\n# data/scores.csv\nslug,city,urban_intelligence,smart_city_governance\nseoul,Seoul,4.5,4.3\nbusan,Busan,3.9,3.8\ntokio,Tokyo,4.1,3.9\n```\n\n```text\ndata/scores.csv:4:1 no profile has the slug 'tokio' [data-unknown-slug]\n```\n\n",
    ),
    RuleDoc(
        "data-duplicate-row",
        "Index data",
        "",
        "\nA second row for the same city; the finding names the first, which is the one read.\n\n```text\n# data/scores.csv\nslug,city,urban_intelligence,smart_city_governance\nseoul,Seoul,4.5,4.3\nbusan,Busan,3.9,3.8\nseoul,Seoul,4.4,4.3\n```\n\n```text\ndata/scores.csv:4:1 'seoul' has a second row here (first at data/scores.csv:2:1): keep one row per city [data-duplicate-row]\n```\n\n",
    ),
    RuleDoc(
        "data-missing-city",
        "Index data",
        "",
        "\nA city (a profile) has no row in the table and no `scores:` of its own. To leave a city\nunranked on purpose, give it a row with its slug and blank scores: the city is then\nunranked, with one `data-blank-cell` warning that says so. The finding names the table,\nwithout a position (the row it asks for does not exist yet).\n\n```text\n# data/scores.csv\nslug,city,urban_intelligence,smart_city_governance\nseoul,Seoul,4.5,4.3\n```\n\n```text\ndata/scores.csv no row for busan (Busan): add one with its scores; to leave the city unranked, add a row with the slug busan and blank scores [data-missing-city]\n```\n\n```text\n# data/scores.csv, busan left unranked on purpose (validate exits 0)\nslug,city,urban_intelligence,smart_city_governance\nseoul,Seoul,4.5,4.3\nbusan,Busan,,\n```\n\n```text\ndata/scores.csv:3:3 busan has no score in any area: it is left unranked; fill its cells if the scores exist [data-blank-cell]\n```\n\n",
    ),
    RuleDoc(
        "data-blank-cell",
        "Index data",
        " (a warning for a blank score; an error for a row without a slug)",
        "\nA blank score: the city's index is the weighted mean of the areas it has, so the blank area\nis left out of its average; fill the cell if the score exists. A row whose scores are all\nblank (and whose profile gives none) leaves the city unranked: one warning, at its first\nscore cell, says so (see `data-missing-city`). A blank cell for a score the profile gives\nunder `scores:` is not reported: that score has one source, the profile. A row that has cells\nbut no slug is an error: it cannot be matched with a city. Blank rows are skipped, blank\nABOUT cells are fine, and the previous edition's blank scores are not reported.\n\n```text\n# data/scores.csv\nslug,city,urban_intelligence,smart_city_governance\nseoul,Seoul,4.5,4.3\nbusan,Busan,,3.8\n,Tokyo,4.1,3.9\n```\n\n```text\ndata/scores.csv:3:3 busan has no urban_intelligence score: the index averages its other areas; fill the cell if the score exists [data-blank-cell]\ndata/scores.csv:4:1 this row has no slug: name its city [data-blank-cell]\n```\n\n",
    ),
    RuleDoc(
        "data-not-number",
        "Index data",
        "",
        "\nA score or ABOUT cell that holds no number: text, a decimal comma, `nan` or `inf`, or in an\nXLSX file a formula whose result the file does not store (a workbook written by a program\nrather than saved by a spreadsheet): open it in the spreadsheet and save it again.\n\n```text\n# data/scores.csv\nslug,city,urban_intelligence,smart_city_governance\nseoul,Seoul,4.5,4.3\nbusan,Busan,\"3,9\",n/a\n```\n\n```text\ndata/scores.csv:3:3 '3,9' is not a number (use a point for decimals) [data-not-number]\ndata/scores.csv:3:4 'n/a' is not a number [data-not-number]\n```\n\n```text\n# data/scores.xlsx (data: data/scores.xlsx), cell C3 of the sheet Scores holds =AVERAGE(3.8,4) with no stored result\ndata/scores.xlsx:Scores!C3 the formula =AVERAGE(3.8,4) has no stored result: open the file in the spreadsheet and save it again (or paste the values) [data-not-number]\n```\n\n",
    ),
    RuleDoc(
        "data-out-of-scale",
        "Index data",
        "",
        "\nA score outside `index.scale` (default `[0, 5]`), in the table or in a profile's `scores:`.\nThe score is printed with every digit it has (`5.0000001 is outside the scale 0 to 5`).\n\n```text\n# data/scores.csv\nslug,city,urban_intelligence,smart_city_governance\nseoul,Seoul,45,4.3\nbusan,Busan,3.9,3.8\n```\n\n```text\ndata/scores.csv:2:3 45 is outside the scale 0 to 5 [data-out-of-scale]\n```\n\n```yaml\n# profiles/seoul.yaml, in a project whose index has no data: table\nscores:\n  urban_intelligence: 45\n```\n\n```text\nprofiles/seoul.yaml:2:23 scores.urban_intelligence: 45 is outside the scale 0 to 5 [data-out-of-scale]\n```\n\n",
    ),
    RuleDoc(
        "data-range",
        "Index data",
        "",
        "\nAn ABOUT number of the table that is not above 0, or a population (`population`,\n`national_population`) that is not a whole number; `area_km2` may have decimals. The cell is\nnot read, and it is not compared with the profile's figure either (`data-conflict`): the\nprofiles here give a population, and this is the one finding.\n\n```text\n# data/scores.csv\nslug,city,population,urban_intelligence,smart_city_governance\nseoul,Seoul,9500000.5,4.5,4.3\nbusan,Busan,0,3.9,3.8\n```\n\n```text\ndata/scores.csv:2:3 population must be a whole number above 0, got 9500000.5 [data-range]\ndata/scores.csv:3:3 population must be a whole number above 0, got 0 [data-range]\n```\n\n",
    ),
    RuleDoc(
        "data-conflict",
        "Index data",
        " (an error when the values differ; a warning when they agree)",
        "\nA value given both in the table and in the profile: a score under `scores:`, or an ABOUT\nnumber (`about.area_km2`, `about.population`, `about.national_population`). A value has one\nsource: when the two differ, which one is right is for you to say (an error); when they\nagree, remove the profile's copy so that the next correction is made once (a warning).\nNumbers are printed with their thousands grouped and every digit they have, so two different\nnumbers never read the same. A table cell already reported (`data-not-number`,\n`data-out-of-scale`, `data-range`) is not compared.\n\n```yaml\nscores:\n  urban_intelligence: 4.2\n  smart_city_governance: 4.3\n```\n\n```text\nprofiles/seoul.yaml:2:23 scores.urban_intelligence: 4.2 here, but 4.5 in data/scores.csv:2:3: a value has one source; remove it from the profile or correct the table [data-conflict]\nprofiles/seoul.yaml:3:26 scores.smart_city_governance: also given in data/scores.csv:2:4: remove it from the profile (one source) [data-conflict]\n```\n\n```text\n# data/scores.csv; profiles/seoul.yaml gives about.population: 9500000 (line 6)\nslug,city,population,urban_intelligence,smart_city_governance\nseoul,Seoul,9400000,4.5,4.3\nbusan,Busan,,3.9,3.8\n```\n\n```text\nprofiles/seoul.yaml:6:15 about.population: 9,500,000 here, but 9,400,000 in data/scores.csv:2:3: a value has one source; remove it from the profile or correct the table [data-conflict]\n```\n\n",
    ),
    RuleDoc(
        "index-not-declared",
        "Index data",
        " (warning)",
        "\nA profile gives `scores:` but `scireport.yaml` has no `index:` section: there are no areas\nto read them against, and they are not used. Declare the index, or remove the scores.\n\n```yaml\n# scireport.yaml without its index: section\nscores:\n  urban_intelligence: 4.5\n```\n\n```text\nprofiles/seoul.yaml:1:1 scores: scores are given but scireport.yaml declares no index: add an index: section with its areas [index-not-declared]\n```\n\n",
    ),
    RuleDoc(
        "index-unknown-area",
        "Index data",
        "",
        "\nA profile's `scores:` names an area that `index.areas` does not declare (for a table's\ncolumn it is `data-unknown-column`), with the closest area id when there is one.\n\n```yaml\nscores:\n  urban_inteligence: 4.5\n```\n\n```text\nprofiles/seoul.yaml:2:3 scores.urban_inteligence: 'urban_inteligence' is not an area of the index; did you mean 'urban_intelligence'? [index-unknown-area]\n```\n\n",
    ),
    RuleDoc(
        "index-unknown-city",
        "Index data",
        "",
        "\nA group of `index.groups` names a slug no profile has: its average would silently leave the\ncity out. The message suggests the closest slug when there is one.\n\n```yaml\n# scireport.yaml, line 16\n      cities: [seoul, busan, incheon]\n```\n\n```text\nscireport.yaml:16:30 index.groups.korea.cities[2]: group 'korea' names 'incheon', which no profile has [index-unknown-city]\n```\n\n",
    ),
    RuleDoc(
        "missing-translation",
        "Translations",
        " (an error; a warning in `build --allow-fallback`)",
        "\nA printed text has nothing in the language being built. `build` refuses; `build\n--allow-fallback` prints the other language instead, with this warning, and marks that\ntext with its language in the HTML. The finding is at the text.\n\n```yaml\n# profiles/seoul.yaml, in a report with languages: [ko, en]\nheadline: {ko: 서울의 스마트시티 전략, en: Seoul's smart-city strategy}\nbody: 서울시는 도시 데이터를 하나의 플랫폼으로 묶고 있다.\n```\n\n```text\n$ scireport validate --lang en\nprofiles/seoul.yaml:2:7 body: no English text for the en edition: add it as {en: ...} beside the text it has, or build with --allow-fallback to print the other language [missing-translation]\n```\n\nPlain text of `scireport.yaml` that holds Hangul is Korean:\n\n```yaml\n# scireport.yaml of the index data's example project, with languages: [ko, en]; line 5\ncopyright: © 2025 연세대학교\n```\n\n```text\n$ scireport validate --lang en\nscireport.yaml:5:12 copyright: no English text for the en edition: add it as {en: ...} beside the text it has, or build with --allow-fallback to print the other language [missing-translation]\n```\n\n",
    ),
    RuleDoc(
        "asset-outside",
        "Images",
        "",
        "\nThe path is absolute, or leads out of the project folder (`..`, a symbolic link): the\nbuild only reads files inside the project.\n\n```yaml\nimages:\n  - path: ../photos/han-river.jpg\n```\n\n```text\nprofiles/seoul.yaml:2:11 images[0].path: ../photos/han-river.jpg points outside the project folder; copy the image into the project (e.g. images/) and give that path [asset-outside]\n```\n\n",
    ),
    RuleDoc(
        "asset-missing",
        "Images",
        "",
        "\nNo file at that path (paths are relative to the project folder).\n\n```yaml\nimages:\n  - path: images/river.jpg\n```\n\n```text\nprofiles/seoul.yaml:2:11 images[0].path: image images/river.jpg does not exist in the project; check the path (it is relative to the project folder) or add the file [asset-missing]\n```\n\n",
    ),
    RuleDoc(
        "asset-unreadable",
        "Images",
        "",
        "\nThe file does not decode as a PNG or JPEG (broken, truncated, another format, or too many\npixels to be a photo).\n\n```yaml\nimages:\n  - path: images/map.png    # a web page saved under a .png name\n```\n\n```text\nprofiles/seoul.yaml:2:11 images[0].path: image images/map.png cannot be used: it is not a readable PNG or JPEG (cannot identify image file); export it again [asset-unreadable]\n```\n\n",
    ),
    RuleDoc(
        "asset-resolution",
        "Images",
        "",
        "\nToo few pixels for the printed width (`width_mm`, default 80): an error below the first\n`image_min_ppi` (150), a warning below the second (300). EXIF rotation is taken into\naccount.\n\n```yaml\nimages:\n  - path: images/skyline.jpg   # 600 px wide\n    width_mm: 120\n  - path: images/market.png    # 800 px wide\n```\n\n```text\nprofiles/seoul.yaml:2:11 images[0].path: image images/skyline.jpg is 600 px wide, printed 120 mm wide: 127 ppi, below 150 ppi; use an image at least 709 px wide (1418 px for 300 ppi) or print it at most 101 mm wide (width_mm) [asset-resolution]\nprofiles/seoul.yaml:4:11 images[1].path: image images/market.png is 800 px wide, printed 80 mm wide: 254 ppi, below 300 ppi; use an image at least 945 px wide or print it at most 67 mm wide (width_mm) [asset-resolution]\n```\n\n",
    ),
    RuleDoc(
        "glyph-missing",
        "Glyphs",
        "",
        "\nA character that none of the layout's `fonts` covers: it would print as an empty box.\nEvery printed text of the profiles and of `scireport.yaml` is checked; whitespace and\ninvisible format characters (zero-width joiner, word joiner...) are exempt. The finding\nis at the character itself, once per field.\n\n```yaml\nbody: 서울은 수도다 🙂\n```\n\n```text\nprofiles/seoul.yaml:1:15 body: character '🙂' (U+1F642 SLIGHTLY SMILING FACE) is in none of the layout's fonts (Noto Sans CJK KR) and would print as an empty box; replace it, or add a font that has it to the layout [glyph-missing]\n```\n\n",
    ),
    RuleDoc(
        "glyph-font-missing",
        "Glyphs",
        "",
        "\nA family in the layout's `fonts` is not installed (fontconfig would substitute another),\nor its file cannot be read. A warning instead when fontconfig itself (`fc-match`) is\nmissing, so glyphs cannot be checked at all.\n\n```yaml\n# layouts/default/layout.yaml\nfonts: [Noto Sans CJK KR, Gotham Rounded]\n```\n\n```text\nlayouts/default/layout.yaml:11:27 fonts[1]: font family 'Gotham Rounded' is not installed (fontconfig would use DejaVu Sans instead); install it or name an installed family [glyph-font-missing]\n```\n\n",
    ),
    RuleDoc(
        "glyph-font-unusable",
        "Glyphs",
        "",
        "\nA warning: a font file named by the layout's `@font-face` was found but cannot be loaded\n(truncated, damaged, or not a font at all). WeasyPrint says only that the font face cannot\nbe loaded and silently sets the text in another font; the build names the file.\n\n```text\nwarning: layouts/default/fonts/Brand.otf this @font-face file cannot be loaded (damaged or not a font), so another font was used in its place; replace the file [glyph-font-unusable]\n```\n\n",
    ),
    RuleDoc(
        "text-missing",
        "Sections",
        "",
        "\nA file that `texts:` names does not exist in the project (or lies outside it).\n\n```yaml\n# scireport.yaml (the example project of the index data), lines 18-19;\n# texts/introduction.ko.md exists, texts/introduction.en.md does not\ntexts:\n  introduction: {ko: texts/introduction.ko.md, en: texts/introduction.en.md}\n```\n\n```text\nscireport.yaml:19:52 texts.introduction.en: texts/introduction.en.md: no such file in the project; write it or correct the path [text-missing]\n```\n\n",
    ),
    RuleDoc(
        "text-too-large",
        "Sections",
        "",
        "\nA file that `texts:` names is over 256 KiB (`sources.MAX_TEXT_BYTES`); a section prints\na few pages, so it is refused, and at most one byte more than the limit is read.\n\n```yaml\n# scireport.yaml, line 8\ntexts:\n  introduction: texts/introduction.ko.md\n```\n\n```text\n$ head -c 300000 /dev/urandom | base64 > texts/introduction.ko.md\nscireport.yaml:8:17 texts.introduction: texts/introduction.ko.md: over 262,144 bytes, far more than a section prints; shorten it, or split it into several sections' texts [text-too-large]\n```\n\n",
    ),
    RuleDoc(
        "layout-error",
        "Layout and fit",
        "",
        "\nThe layout named in `scireport.yaml` cannot be loaded (no such layout, layouts that\nextend each other in a loop). Errors inside a layout's `layout.yaml` are reported with\ntheir own rules (`schema-range`, `yaml-syntax`...) at their place in that file. Image,\nglyph and fit checks need the layout and are skipped until it loads.\n\n```yaml\n# scireport.yaml\nlayout: glossy\n```\n\n```text\nscireport.yaml:7:9 layout: unknown layout 'glossy': layouts/glossy/layout.yaml does not exist (available: default); fix the layout or set scireport.yaml's layout: to one that exists [layout-error]\n```\n\n",
    ),
    RuleDoc(
        "fit-overflow",
        "Layout and fit",
        "",
        "\nA city's content does not fit the layout's page budget (`pages_per_city`). `validate`\nlays every city out (no PDF is written) and names the field where the overflow begins\nand roughly how much does not fit. Skipped by `--no-layout`; a warning in\n`build --allow-overflow`.\n\n```yaml\nbody: |\n  ... (far too much text for two pages)\n```\n\n```text\nprofiles/seoul.yaml:1:7 body: Seoul runs about 0.6 page(s) over its 2-page budget, from body paragraph 4: shorten the text (or build with --allow-overflow) [fit-overflow]\n```\n\n",
    ),
    RuleDoc(
        "fit-dropped",
        "Layout and fit",
        "",
        "\nA paragraph of the profile is nowhere on the city's typeset pages: a layout hides it\n(`display: none`), clips it or forgets the field. `build` compares every paragraph's\nletters and digits, as printed (Markdown rendered, case folded), with the text laid out on\nthe city's pages, and refuses to write anything when one is missing.\n\n```css\n/* layouts/default/style.css */\n.about-text { display: none }\n```\n\n```text\nprofiles/seoul.yaml:10:9 about.text: about.text is not on the typeset pages: the layout hides or cuts it; check the template and CSS for this field [fit-dropped]\n```\n\n",
    ),
)
"""Every validation rule, in documentation order."""
