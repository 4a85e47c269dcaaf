"""Benchmark and report for the anonymiser (not a test).

.venv/bin/python bench/anonymiser.py            # cases per second over the eval set, repeated
.venv/bin/python bench/anonymiser.py --report   # recall per identifier type, over-redaction
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.anonymiser import anonymise
from domain.anonymiser.evaluation import load_cases, score

EVAL_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "anonymiser_eval.jsonl"


def benchmark(repeat: int) -> None:
    cases = load_cases(EVAL_SET)
    anonymise(cases[0].text, cases[0].known_names)  # load the bundled lists outside the clock
    started = time.perf_counter()
    for _ in range(repeat):
        for case in cases:
            anonymise(case.text, case.known_names)
    elapsed = time.perf_counter() - started
    count = repeat * len(cases)
    print(f"{count} cases in {elapsed:.2f} s: {count / elapsed:,.0f} cases per second")


def report(show: bool) -> None:
    result = score(load_cases(EVAL_SET))
    print(f"{result.cases} cases, {sum(result.identifiers.values())} identifiers")
    print(f"{'kind':<14}{'count':>7}{'caught':>8}{'recall':>9}{'right kind':>12}")
    for kind, total in sorted(result.identifiers.items()):
        caught = result.caught[kind]
        print(
            f"{kind:<14}{total:>7}{caught:>8}{result.recall_of(kind):>9.1%}"
            f"{result.right_kind[kind]:>12}"
        )
    print(
        f"{'all':<14}{sum(result.identifiers.values()):>7}{sum(result.caught.values()):>8}"
        f"{result.recall:>9.1%}"
    )
    print(
        f"over-redaction: {result.over_redacted} of {result.other_words} other words "
        f"({result.over_redaction:.2%}); exact expected text: {result.exact}/{result.cases}"
    )
    if show:
        for case_id, kind, original in result.misses:
            print(f"  missed {kind:<12} {original!r:<30} {case_id}")
        for case_id, word in result.overs:
            print(f"  over   {word!r:<43} {case_id}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--report", action="store_true", help="recall and over-redaction")
    parser.add_argument("--show", action="store_true", help="with --report: list every miss")
    parser.add_argument("--repeat", type=int, default=20, help="passes over the eval set")
    args = parser.parse_args()
    if args.report:
        report(args.show)
    else:
        benchmark(args.repeat)


if __name__ == "__main__":
    main()
