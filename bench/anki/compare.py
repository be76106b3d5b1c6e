#!/usr/bin/env python3
"""Times briefdeck and genanki in alternation, so both meet the same machine.

On a shared VM the speed of the same command drifts by ±20 % from one minute
to the next. Timing one tool for a while and then the other lets that drift
decide the ratio; alternating them round by round does not.

Each round runs `briefdeck export anki` once (the whole process: start-up,
reading and checking the YAML, notes, collection, zip, timed from outside) and
genanki once (genanki_write.py: building the genanki objects and writing the
package, timed inside, without Python's start-up or the reading of notes).

Two ratios are printed. The end-to-end one is the issue's measure: all of
briefdeck's work against only genanki's writing. The like-for-like one sets
genanki's writing against briefdeck's own writing: the deck phase of the
same round, as `--json` reports it in a second run (notes made from the
loaded briefs, collection, zip), without start-up and loading.

    python3 compare.py ROUNDS BRIEFDECK CORPUS GENANKI_PYTHON BRIEFDECK_APKG OUT_DIR
"""

import json
import os
import statistics
import subprocess
import sys
import time


def main():
    rounds, briefdeck, corpus, python, reference, out = sys.argv[1:7]
    rounds = int(rounds)
    here = os.path.dirname(os.path.abspath(__file__))
    ours, ours_writing, theirs, ratios = [], [], [], []
    for _ in range(rounds):
        deck = os.path.join(out, "deck.apkg")
        start = time.perf_counter()
        subprocess.run(
            [briefdeck, "export", "anki", corpus, "-o", deck],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        ours.append(time.perf_counter() - start)
        # A second run for the report's timings, not timed from outside: the
        # report also hashes the package, which a plain run does not.
        run = subprocess.run(
            [briefdeck, "export", "anki", corpus, "-o", deck, "--json"],
            check=True,
            capture_output=True,
            text=True,
        )
        ours_writing.append(json.loads(run.stdout)["timings"]["anki_seconds"])
        result = subprocess.run(
            [python, os.path.join(here, "genanki_write.py"), reference, os.path.join(out, "genanki.apkg")],
            check=True,
            capture_output=True,
            text=True,
        )
        theirs.append(json.loads(result.stdout)["seconds"])
        ratios.append(theirs[-1] / ours[-1])

    def line(name, xs):
        return f"{name:9s} best {min(xs):.3f} s, median {statistics.median(xs):.3f} s"

    print(f"== {rounds} alternating rounds")
    print(line("briefdeck", ours) + "  (whole process, YAML to .apkg)")
    print(line("  writing", ours_writing) + "  (its deck phase, from the loaded briefs)")
    print(line("genanki", theirs) + "  (writing: objects and package)")
    print(
        f"end to end: {min(theirs) / min(ours):.1f}x best against best, "
        f"{statistics.median(theirs) / statistics.median(ours):.1f}x median against median, "
        f"median of the rounds' ratios {statistics.median(ratios):.1f}x"
    )
    print(
        f"like for like (writing only): {min(theirs) / min(ours_writing):.1f}x best against best, "
        f"{statistics.median(theirs) / statistics.median(ours_writing):.1f}x median against median"
    )


if __name__ == "__main__":
    main()
