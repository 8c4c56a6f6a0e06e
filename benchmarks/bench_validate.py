"""Benchmark `scireport validate --no-layout` against check-jsonschema on 500 profiles.

Generates realistic city profiles (about 3,500 characters of Korean body text each, every
profile's text its own so the cross-profile checks stay clean, plus initiatives and
scores) into a temporary project, then times, best of three runs each:

- ``scireport validate --no-layout`` (YAML, schema, plausibility, cross-profile, images
  and glyph checks, every finding located);
- ``check-jsonschema --schemafile <exported profile schema> <files>`` (schema only).

Prints a small table and writes the figures to benchmarks/RESULTS-validate.md.
Run with ``make bench-validate`` or ``.venv/bin/python benchmarks/bench_validate.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from scireport.models import AREAS, CityProfile, json_schema

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = REPO / "benchmarks" / "RESULTS-validate.md"

CONFIG: dict[str, Any] = {
    "title": "Smart Cities Index Report",
    "year": 2022,
    "organisations": ["DTTM", "ISi Lab", "IfM Engage"],
    "contact": {"email": "index@example.org", "phone": "+82 2 2123 0000", "place": "Seoul"},
    "copyright": "© 2022 the authors",
    "lang": "ko",
}


def words(text: str) -> tuple[str, ...]:
    """The space-separated words of ``text``."""
    return tuple(text.split())


NOUNS = words(
    "도시 시민 데이터 교통 신호 정류장 버스 지하철 자전거 보행자 센서 통신망 와이파이 플랫폼"
    " 행정 서비스 민원 앱 지도 공간정보 디지털 트윈 에너지 전력 태양광 건물 주택 공원 하천"
    " 녹지 폭염 미세먼지 소음 안전 방범 재난 홍수 지진 산불 경보 의료 돌봄 노인 어린이 학교"
    " 도서관 대학 기업 스타트업 연구소 실증 시범 사업 예산 계획 전략 정책 조례 위원회 협의체"
    " 거버넌스 참여 투표 토론 의견 격차 포용 교육 일자리 산업 관광 항만 공항 물류 배송 드론"
    " 자율주행 전기차 충전소 주차 도로 교차로 차로 보도 조명 가로등 쓰레기 재활용 상수도 하수도"
    " 수질 대기 탄소 배출 기후 적응 회복력 보안 개인정보 신뢰 개방 표준 규격 인공지능 분석"
    " 예측 관제 상황실 운영 유지보수 협력 파트너십 주민 동네 자치구 광역 중앙정부 국제 교류"
)
PARTICLES = words("은 는 이 가 을 를 의 에 에서 와 과 로 으로 도 만 까지 부터 보다 처럼")
ADVERBS = words("꾸준히 빠르게 새롭게 함께 곧바로 조금씩 크게 널리 직접 먼저 다시 더욱 미리 점차")
VERBS = words(
    "넓혔다 늘렸다 바꾸었다 연결했다 공개했다 줄였다 시작했다 마련했다 도입했다 확대했다"
    " 개선했다 지원한다 운영한다 관리한다 측정한다 분석한다 제공한다 추진한다 강화한다 살핀다"
)
SYLLABLES = words(
    "가 나 다 라 마 바 사 아 자 차 카 타 파 하 벨 칼 모 리 네 로 포 린 델 수 엔 브 트 크"
)
ASCII_SYLLABLES = words("ka lo mi ren sa to vel dor an bri cas fen gul hol ir jas ken lun mar nor")
TOPICS = ("Mobility", "Data Hub", "Green Grid", "Open Lab", "Safety Net", "Care Link")


def sentence(rng: random.Random, native: str) -> str:
    """A plausible Korean sentence of 7-14 words, sometimes naming the city."""
    words = []
    for _ in range(rng.randint(6, 13)):
        if rng.random() < 0.15:
            words.append(rng.choice(ADVERBS))
        else:
            words.append(rng.choice(NOUNS) + rng.choice(PARTICLES))
    if rng.random() < 0.12:
        words[0] = native + rng.choice(("은", "의", "에서", "는"))
    words.append(rng.choice(VERBS) + ".")
    return " ".join(words)


def paragraph(rng: random.Random, native: str, chars: int) -> str:
    """Sentences until the paragraph is about ``chars`` characters long."""
    out: list[str] = []
    while sum(len(s) + 1 for s in out) < chars:
        out.append(sentence(rng, native))
    return " ".join(out)


def names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """``count`` unique (English name, Korean name) pairs."""
    seen: set[str] = set()
    out = []
    while len(out) < count:
        english = "".join(rng.choice(ASCII_SYLLABLES) for _ in range(3)).capitalize()
        native = "".join(rng.choice(SYLLABLES) for _ in range(3))
        if english in seen or native in seen:
            continue
        seen.update((english, native))
        out.append((english, native))
    return out


def profile(rng: random.Random, english: str, native: str) -> dict[str, Any]:
    """One city's profile as YAML-ready data."""
    area = round(rng.uniform(80, 1500), 1)
    population = int(area * rng.uniform(800, 15000))
    national = population * rng.randint(5, 60)
    body = "\n\n".join(
        f"{native}{'은' if i == 0 else '의'} " + paragraph(rng, native, 850) for i in range(4)
    )
    return {
        "city": english,
        "country": "The Republic of Testland",
        "native_name": native,
        "aliases": [f"{native}시", f"City of {english}"],
        "lang": "ko",
        "about": {
            "area_km2": area,
            "population": population,
            "national_population": national,
            "national_share_pct": round(100 * population / national, 1),
            "text": f"{native}는 " + paragraph(rng, native, 160),
        },
        "headline": f"{sentence(rng, native)}\n{sentence(rng, native)}\n",
        "subtitle": sentence(rng, native),
        "body": body + "\n",
        "initiatives": [
            {"name": f"{english} {topic}", "text": paragraph(rng, native, 90)}
            for topic in rng.sample(TOPICS, 4)
        ],
        "scores": {area_name: round(rng.uniform(2, 5), 1) for area_name in AREAS},
        "sources": [
            f"{english} Statistics Office, population register 2021",
            "Smart Cities Index Report 2022 (DTTM, ISi Lab, IfM Engage)",
        ],
    }


def generate(root: Path, count: int, seed: int) -> list[Path]:
    """Write a project with ``count`` profiles under ``root``; return the profile files."""
    rng = random.Random(seed)
    shutil.copytree(REPO / "layouts", root / "layouts")
    (root / "scireport.yaml").write_text(yaml.safe_dump(CONFIG, allow_unicode=True), "utf-8")
    folder = root / "profiles"
    folder.mkdir()
    files = []
    for i, (english, native) in enumerate(names(rng, count)):
        path = folder / f"city-{i:03d}.yaml"
        data = profile(rng, english, native)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        files.append(path)
    return files


def best_of(runs: int, command: list[str], expect: set[int]) -> tuple[float, str]:
    """Best wall time of ``runs`` runs of ``command``, and the last run's output."""
    best = float("inf")
    output = ""
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        best = min(best, time.perf_counter() - started)
        output = done.stdout + done.stderr
        if done.returncode not in expect:
            raise SystemExit(f"{command[0]} exited {done.returncode}:\n{output[-3000:]}")
    return best, output


def main() -> None:
    """Generate the profiles, time both tools, print and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--no-write", action="store_true", help="do not update the results file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        root = Path(tmp)
        files = generate(root, args.profiles, args.seed)
        schema = root / "profile.schema.json"
        schema.write_text(json.dumps(json_schema(CityProfile)), "utf-8")
        chars = sum(len(f.read_text("utf-8")) for f in files)
        body = sum(len(yaml.safe_load(f.read_text("utf-8"))["body"]) for f in files)
        load = os.getloadavg()[0]

        validate_cmd = [str(BIN / "scireport"), "validate", "--no-layout", "--project", str(root)]
        ours, output = best_of(args.runs, [*validate_cmd, "--format", "json"], {0, 1})
        findings = json.loads(output[: output.rindex("]") + 1])
        if findings:
            shown = "\n".join(
                f"{f['file']}:{f['line']} {f['rule']} {f['message']}" for f in findings
            )
            raise SystemExit(f"generated profiles should validate clean:\n{shown[:3000]}")
        jsonschema_cmd = [str(BIN / "check-jsonschema"), "--schemafile", str(schema)]
        theirs, output = best_of(args.runs, [*jsonschema_cmd, *map(str, files)], {0})

    ratio = ours / theirs
    rows = [
        (
            "scireport validate --no-layout",
            ours,
            "YAML, schema, plausibility, cross, assets, glyphs",
        ),
        ("check-jsonschema --schemafile", theirs, "schema only, no line numbers"),
    ]
    table = [
        f"| tool | best of {args.runs} (s) | checks |",
        "|---|---:|---|",
        *(f"| `{name}` | {seconds:.3f} | {what} |" for name, seconds, what in rows),
    ]
    summary = (
        f"{args.profiles} profiles, {chars / args.profiles / 1000:.1f} kB each"
        f" ({body / args.profiles:,.0f} characters of body text);"
        f" scireport / check-jsonschema = {ratio:.2f}"
        f" ({'faster' if ratio < 1 else 'slower'})"
    )
    if args.profiles == 500:
        summary += f"; target (under 1 s for 500 profiles): {'met' if ours < 1 else 'NOT met'}"
    print("\n".join(table))
    print(summary)
    if args.no_write:
        return
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},"
        f" load average {load:.1f} when it started"
    )
    RESULTS.write_text(
        "# validate benchmark\n\n"
        "Generated by `make bench-validate` (benchmarks/bench_validate.py) on"
        f" {time.strftime('%Y-%m-%d')}, {machine}.\n\n" + "\n".join(table) + f"\n\n{summary}\n",
        "utf-8",
    )
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
