"""Geoparsing benchmark (not a test): runs ``manage.py geoparse FILE --json`` on every article of
the gold set (tests/data/goldset/), scores the answers with the gold set's own scorer, and prints
per article and per language precision, recall and F1 of the distinct places found, the shares
of resolved places within their stated precision and within 5 km of the gold point, and the
seconds per article; then the time of a 1,000-word article (English and Russian) after the
models are loaded, of 100 articles, the load time and the peak memory of the process.

Run: ``make bench-geoparse`` (or ``.venv/bin/python bench/geoparse_benchmark.py``).
"""

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "goldset"
sys.path.insert(0, str(ROOT))


def geoparse_json(path, **options):
    """The output of the geoparse command for one file, parsed."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command("geoparse", str(path), "--json", stdout=out, **options)
    return json.loads(out.getvalue())


def f1(precision, recall):
    if not precision or not recall:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def ratio(a, b):
    return a / b if b else None


def fmt(value):
    return "—" if value is None else f"{value:.3f}"


def words_of(paths, language, count):
    """A text of `count` words made of the gold articles in one language, repeated as needed."""
    words = []
    for path in paths:
        gold = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        if gold.get("language") == language:
            words += path.read_text(encoding="utf-8").split()
    text_words = (words * (count // len(words) + 1))[:count]
    # Paragraphs of 60 words, as in a news article.
    return "\n\n".join(" ".join(text_words[i : i + 60]) for i in range(0, count, 60))


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "border_map.settings")
    import django

    django.setup()
    from border_map.geoparsing import warm_up

    texts = sorted(GOLD.glob("*.txt"))
    started = time.perf_counter()
    warm_up()
    load_seconds = time.perf_counter() - started

    seconds = {}
    with tempfile.TemporaryDirectory() as predictions:
        for path in texts:
            started = time.perf_counter()
            answer = geoparse_json(path)
            seconds[path.stem] = time.perf_counter() - started
            (Path(predictions) / f"{path.stem}.json").write_text(
                json.dumps(answer, ensure_ascii=False), encoding="utf-8"
            )
        scored = json.loads(
            subprocess.run(
                [sys.executable, str(GOLD / "score.py"), str(GOLD), predictions, "--json"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )

    print(f"Models and gazetteer index loaded in {load_seconds:.2f} s\n")
    header = (
        f"{'article':58} {'lang':4} {'P':>6} {'R':>6} {'F1':>6} {'≤prec':>6} {'≤5km':>6} "
        f"{'s':>6}  missed / wrong / far"
    )
    print(header)
    totals = {}
    for slug, row in scored["articles"].items():
        precision, recall = ratio(row["right"], row["predicted"]), ratio(row["found"], row["gold"])
        within_p = ratio(row["within_precision"], row["with_coords"])
        within_5 = ratio(row["within_5km"], row["with_coords"])
        notes = " / ".join(", ".join(row[k]) or "-" for k in ("missed", "false_positives", "far"))
        print(
            f"{slug[:58]:58} {row['language']:4} {fmt(precision):>6} {fmt(recall):>6} "
            f"{fmt(f1(precision, recall)):>6} {fmt(within_p):>6} {fmt(within_5):>6} "
            f"{seconds[slug]:6.3f}  {notes}"
        )
        for key in ("all", row["language"]):
            total = totals.setdefault(key, {"seconds": 0.0, "articles": 0})
            total["seconds"] += seconds[slug]
            total["articles"] += 1
    print()
    for key, summary in scored["summary"].items():
        precision, recall = summary["precision"], summary["recall"]
        total = totals[key]
        print(
            f"{key}: {summary['articles']} articles, precision {fmt(precision)}, recall "
            f"{fmt(recall)}, F1 {fmt(f1(precision, recall))}, within own precision "
            f"{fmt(summary['within_own_precision'])}, within 5 km "
            f"{fmt(summary['resolved_within_5km'])}, demonyms/not-places taken "
            f"{summary['not_place_taken']}, {total['seconds'] / total['articles']:.3f} s/article"
        )

    print()
    with tempfile.TemporaryDirectory() as folder:
        for language in ("en", "ru"):
            path = Path(folder) / f"thousand-{language}.txt"
            path.write_text(words_of(texts, language, 1000), encoding="utf-8")
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                answer = geoparse_json(path)
                runs.append(time.perf_counter() - started)
            print(
                f"1,000-word {language} article: best {min(runs):.3f} s, worst {max(runs):.3f} s "
                f"of 3 ({len(answer['places'])} places, {len(answer['unresolved'])} unresolved)"
            )
    started = time.perf_counter()
    for i in range(100):
        geoparse_json(texts[i % len(texts)])
    print(f"100 articles (the gold set 10 times): {time.perf_counter() - started:.2f} s")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of this process): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
