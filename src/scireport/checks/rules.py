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


INTRO = "# Validation rules\n\n`scireport validate` reports every problem it finds, each with the file, line, column,\nfield path, a stable **rule id**, a severity and a message that says what to do:\n\n```text\nprofiles/seoul.yaml:6:3 about.popluation: unknown field 'popluation'; did you mean 'population'? [schema-unknown-field]\n```\n\n- **error**: `validate` exits 1 and `build` refuses to run.\n- **warning**: reported, exit 0; `--strict` turns every warning into an error.\n- `--format json` prints the findings as objects with the keys\n  `file, line, column, path, rule, severity, message`; `--format github` prints workflow\n  annotations. Exit codes: 0 clean, 1 errors, 2 usage (bad option, no project).\n- `--no-layout` skips only the page-fit check (`fit-overflow`), the one that lays pages out.\n\nRule ids are stable: scripts and CI may filter on them. Each rule below has a YAML\nexample that triggers it and the finding it produces. Examples show a profile\n(`profiles/seoul.yaml`) unless they say otherwise; lines not shown are a valid profile.\nPDF checks of `build` (the `pdf-*` rules of preflight) are not part of `validate` and\nare described with preflight.\n\nContents: [YAML](#yaml) · [schema](#schema) · [plausibility](#plausibility) ·\n[across profiles](#across-profiles) · [images](#images) · [glyphs](#glyphs) ·\n[layout and fit](#layout-and-fit) · [PDF checks](#pdf-checks-preflight)\n\n"
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
        "Images",
        "\nEach `images[].path` of a profile, against the layout's `image_min_ppi` (default\n`[150, 300]`).\n\n",
    ),
    Family("Glyphs", "\n"),
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
