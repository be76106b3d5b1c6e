#!/usr/bin/env python3
"""Headless Anki client used by briefdeck's integration tests.

Run with the tools venv (see scripts/setup-test-tools.sh):

    .venv-tools/bin/python tests/tools/anki_check.py import COLLECTION.anki2 PACKAGE.apkg
    .venv-tools/bin/python tests/tools/anki_check.py dump   COLLECTION.anki2
    .venv-tools/bin/python tests/tools/anki_check.py review COLLECTION.anki2 [--limit N]

Each subcommand prints exactly one JSON object on stdout. On failure it prints
a message on stderr and exits non-zero (1 = Anki/runtime error, 2 = usage).
Everything runs offline against the official `anki` library (pinned 26.9.3).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from contextlib import contextmanager
from typing import Any, Iterator

try:
    from anki.collection import (
        Collection,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
    )
    from anki import import_export_pb2
    from anki.scheduler.v3 import CardAnswer
    import anki.buildinfo
except ImportError as exc:  # pragma: no cover - environment problem
    print(
        f"anki_check: cannot import the anki library ({exc}); "
        "run scripts/setup-test-tools.sh and use .venv-tools/bin/python",
        file=sys.stderr,
    )
    sys.exit(1)

UPDATE_CONDITIONS = {
    "if_newer": import_export_pb2.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
    "always": import_export_pb2.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS,
    "never": import_export_pb2.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_NEVER,
}

# Fields of ImportResponse.Log that are lists of ImportResponse.Note.
LOG_NOTE_LISTS = (
    "new",
    "updated",
    "duplicate",
    "conflicting",
    "first_field_match",
    "missing_notetype",
    "missing_deck",
    "empty_first_field",
)


class ToolError(Exception):
    pass


@contextmanager
def open_collection(path: str, create: bool) -> Iterator[Collection]:
    path = os.path.abspath(path)
    if not create and not os.path.exists(path):
        raise ToolError(f"collection not found: {path}")
    if create:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    col = Collection(path)
    try:
        yield col
    finally:
        col.close()


def collection_totals(col: Collection) -> dict[str, Any]:
    db = col.db
    return {
        "notes": db.scalar("select count() from notes"),
        "cards": db.scalar("select count() from cards"),
        "revlog": db.scalar("select count() from revlog"),
        "decks": [d.name for d in col.decks.all_names_and_ids()],
        "notetypes": [m.name for m in col.models.all_names_and_ids()],
        "new_cards": db.scalar("select count() from cards where type = 0"),
    }


def cmd_import(args: argparse.Namespace) -> dict[str, Any]:
    package = os.path.abspath(args.package)
    if not os.path.isfile(package):
        raise ToolError(f"package not found: {package}")
    with open_collection(args.collection, create=True) as col:
        request = ImportAnkiPackageRequest(
            package_path=package,
            options=ImportAnkiPackageOptions(
                merge_notetypes=not args.no_merge_notetypes,
                update_notes=UPDATE_CONDITIONS[args.update_notes],
                update_notetypes=UPDATE_CONDITIONS[args.update_notetypes],
                with_scheduling=not args.without_scheduling,
                with_deck_configs=args.with_deck_configs,
            ),
        )
        response = col.import_anki_package(request)
        log = response.log
        counts = {name: len(getattr(log, name)) for name in LOG_NOTE_LISTS}
        details = {
            name: [
                {"id": note.id.nid, "fields": list(note.fields)}
                for note in getattr(log, name)
            ]
            for name in LOG_NOTE_LISTS
        }
        return {
            "anki_version": anki.buildinfo.version,
            "collection": col.path,
            "package": package,
            "log": counts,
            "found_notes": log.found_notes,
            "notes": details,
            "totals": collection_totals(col),
        }


def cmd_dump(args: argparse.Namespace) -> dict[str, Any]:
    with open_collection(args.collection, create=False) as col:
        db = col.db
        deck_names = {d.id: d.name for d in col.decks.all_names_and_ids()}
        notetypes = []
        nt_names = {}
        for entry in col.models.all_names_and_ids():
            model = col.models.get(entry.id)
            nt_names[entry.id] = model["name"]
            notetypes.append(
                {
                    "id": model["id"],
                    "name": model["name"],
                    "kind": "cloze" if model["type"] == 1 else "standard",
                    "fields": [f["name"] for f in model["flds"]],
                    "templates": [t["name"] for t in model["tmpls"]],
                    "template_formats": [
                        {"name": t["name"], "qfmt": t["qfmt"], "afmt": t["afmt"]}
                        for t in model["tmpls"]
                    ],
                    "sort_field": model.get("sortf", 0),
                    "css": model.get("css", ""),
                    "mod": model.get("mod"),
                    "use_count": col.models.use_count(model),
                }
            )

        notes = []
        for nid in db.list("select id from notes order by id"):
            note = col.get_note(nid)
            notes.append(
                {
                    "id": note.id,
                    "guid": note.guid,
                    "notetype_id": note.mid,
                    "notetype": nt_names.get(note.mid),
                    "fields": dict(zip(note.keys(), note.fields)),
                    "field_names": list(note.keys()),
                    "tags": list(note.tags),
                    "mod": note.mod,
                    "usn": note.usn,
                }
            )

        cards = []
        revlog_counts = dict(db.all("select cid, count() from revlog group by cid"))
        for cid in db.list("select id from cards order by nid, ord, id"):
            card = col.get_card(cid)
            out = card.render_output(reload=True)
            cards.append(
                {
                    "id": card.id,
                    "nid": card.nid,
                    "ord": card.ord,
                    "deck_id": card.did,
                    "deck": deck_names.get(card.did),
                    "original_deck_id": card.odid,
                    "type": card.type,
                    "queue": card.queue,
                    "ivl": card.ivl,
                    "due": card.due,
                    "factor": card.factor,
                    "reps": card.reps,
                    "lapses": card.lapses,
                    "left": card.left,
                    "flags": card.flags,
                    "mod": card.mod,
                    "revlog": revlog_counts.get(card.id, 0),
                    "question": out.question_text,
                    "answer": out.answer_text,
                }
            )

        decks = [
            {"id": d.id, "name": d.name, "dyn": bool(col.decks.get(d.id)["dyn"])}
            for d in col.decks.all_names_and_ids()
        ]
        return {
            "anki_version": anki.buildinfo.version,
            "collection": col.path,
            "schema_version": db.scalar("select ver from col"),
            "decks": decks,
            "notetypes": notetypes,
            "notes": notes,
            "cards": cards,
            "media_files": sorted(
                name
                for name in os.listdir(col.media.dir())
                if os.path.isfile(os.path.join(col.media.dir(), name))
            ),
            "totals": collection_totals(col),
        }


def cmd_review(args: argparse.Namespace) -> dict[str, Any]:
    if args.limit is not None and args.limit < 0:
        raise ToolError("--limit must be >= 0")
    rating = {
        "again": CardAnswer.AGAIN,
        "hard": CardAnswer.HARD,
        "good": CardAnswer.GOOD,
        "easy": CardAnswer.EASY,
    }[args.rating]
    with open_collection(args.collection, create=False) as col:
        db = col.db
        # New, unsuspended, unburied cards (queue 0), in the order Anki would
        # introduce them. Picked directly rather than via get_queued_cards():
        # the v3 queue only covers the *current* deck (Default after an
        # import) and stops at the deck's new-cards/day limit (20).
        cids = db.list("select id from cards where queue = 0 order by due, ord, id")
        if args.limit is not None:
            cids = cids[: args.limit]
        answered = []
        for cid in cids:
            card = col.get_card(cid)
            card.start_timer()
            states = col._backend.get_scheduling_states(card.id)
            col.sched.answer_card(
                col.sched.build_answer(card=card, states=states, rating=rating)
            )
            card.load()
            answered.append(
                {
                    "id": card.id,
                    "nid": card.nid,
                    "guid": col.get_note(card.nid).guid,
                    "ord": card.ord,
                    "type": card.type,
                    "queue": card.queue,
                    "reps": card.reps,
                    "ivl": card.ivl,
                    "due": card.due,
                    "revlog": db.scalar("select count() from revlog where cid = ?", card.id),
                }
            )
        return {
            "anki_version": anki.buildinfo.version,
            "collection": col.path,
            "rating": args.rating,
            "answered": len(answered),
            "remaining_new": db.scalar("select count() from cards where queue = 0"),
            "cards": answered,
            "totals": collection_totals(col),
        }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anki_check.py",
        description="Headless Anki client for briefdeck tests (prints one JSON object).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", help="import an .apkg into a collection (created if missing)")
    p.add_argument("collection")
    p.add_argument("package")
    p.add_argument("--update-notes", choices=sorted(UPDATE_CONDITIONS), default="if_newer")
    p.add_argument("--update-notetypes", choices=sorted(UPDATE_CONDITIONS), default="if_newer")
    p.add_argument("--no-merge-notetypes", action="store_true",
                   help="merge_notetypes=False (default: True)")
    p.add_argument("--without-scheduling", action="store_true",
                   help="with_scheduling=False (default: True)")
    p.add_argument("--with-deck-configs", action="store_true",
                   help="with_deck_configs=True (default: False)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("dump", help="dump decks, notetypes, notes and cards")
    p.add_argument("collection")
    p.set_defaults(func=cmd_dump)

    p = sub.add_parser("review", help="answer new cards through the v3 scheduler")
    p.add_argument("collection")
    p.add_argument("--limit", type=int, default=None, help="answer at most N new cards")
    p.add_argument("--rating", choices=["again", "hard", "good", "easy"], default="good")
    p.set_defaults(func=cmd_review)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result = args.func(args)
    except ToolError as exc:
        print(f"anki_check {args.command}: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # anki backend errors, corrupt packages, ...
        traceback.print_exc(file=sys.stderr)
        print(f"anki_check {args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
