#!/usr/bin/env python3
"""Write a corpus of briefs as one Markdown book for pandoc, laid out like
briefdeck's default booklet: parts Why in News, Key Points (with background
notes) and Way Forward, each listing every brief by subject then date, then
the facts as a self-test with answers. Texts are Markdown already and pass
through unchanged; nested points become nested lists.

    bench/epub/to_markdown.py CORPUS_DIR BOOK.md

Needs PyYAML (Debian: python3-yaml). Used by bench/epub/run.sh only.
"""
import pathlib
import sys

import yaml


def points(items, depth=0):
    out = []
    pad = "    " * depth
    for p in items:
        if isinstance(p, str):
            p = {"text": p}
        line = " ".join(x for x in (f"**{p['heading']}**" if p.get("heading") else None,
                                     p.get("text")) if x)
        out.append(f"{pad}- {' '.join(line.split())}")
        if p.get("image"):
            out.append(f"{pad}    ![{p.get('alt', '')}]({p['image']})")
        out.extend(points(p.get("points", []), depth + 1))
    return out


def main(corpus, book):
    briefs = []
    for f in sorted(pathlib.Path(corpus).rglob("*.y*ml")):
        for doc in yaml.safe_load_all(f.read_text(encoding="utf-8")):
            if doc:
                briefs.append(doc)
    briefs.sort(key=lambda b: (b.get("subject", "General").lower(), str(b["date"]), b["title"]))

    lines = ["---", "title: Current Affairs Revision", "lang: en", "---", ""]
    lines += ["# Why in News", ""]
    for b in briefs:
        lines += [f"## {b['title']}", "", f"*{b.get('subject', 'General')} · {b['date']}*", ""]
        src = b.get("source")
        if isinstance(src, dict) and src.get("url"):
            lines += [f"Source: [{src.get('name', src['url'])}]({src['url']})", ""]
        lines += [b["why_in_news"].strip(), ""]
    lines += ["# Key Points", ""]
    for b in briefs:
        lines += [f"## {b['title']}", ""]
        if b.get("background"):
            lines += ["> **Background**", ">"] + ["> " + l for l in points(b["background"])] + [""]
        lines += points(b["key_points"]) + [""]
    lines += ["# Way Forward", ""]
    for b in briefs:
        if b.get("way_forward"):
            lines += [f"## {b['title']}", ""] + points(b["way_forward"]) + [""]
    lines += ["# Self-test", ""]
    n = 0
    answers = []
    for b in briefs:
        for fact in b.get("facts", []):
            n += 1
            lines += [f"{n}. {fact['q']} [Answer](#a{n})", ""]
            answers += [f"[{n}.]{{#a{n}}} {fact['a']}", ""]
    lines += ["# Answers", ""] + answers
    pathlib.Path(book).write_text("\n".join(lines), encoding="utf-8")
    print(f"{book}: {len(briefs)} briefs, {n} questions", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:3])
