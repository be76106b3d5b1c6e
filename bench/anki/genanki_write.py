#!/usr/bin/env python3
"""Write the same notes as a briefdeck .apkg with Python genanki, timed.

Reads the notes, note types and decks out of a package that briefdeck wrote
(stdlib zipfile + sqlite3), rebuilds them as genanki objects, and times only
genanki's part: building the objects and writing the package. Prints one JSON
object: {"notes": N, "seconds": S}.

    python genanki_write.py BRIEFDECK.apkg OUT.apkg
"""

import json
import os
import sqlite3
import sys
import tempfile
import time
import zipfile

import genanki


def read_package(path):
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(path) as z:
            z.extract("collection.anki2", tmp)
        db = sqlite3.connect(os.path.join(tmp, "collection.anki2"))
        models = json.loads(db.execute("select models from col").fetchone()[0])
        decks = json.loads(db.execute("select decks from col").fetchone()[0])
        notes = db.execute(
            "select n.guid, n.mid, n.flds, n.tags, min(c.did) from notes n join cards c on c.nid = n.id group by n.id order by n.id"
        ).fetchall()
        db.close()
    return models, decks, notes


def main():
    src, out = sys.argv[1], sys.argv[2]
    models, decks, rows = read_package(src)

    start = time.perf_counter()
    gmodels = {}
    for mid, m in models.items():
        gmodels[int(mid)] = genanki.Model(
            int(mid),
            m["name"],
            fields=[{"name": f["name"]} for f in m["flds"]],
            templates=[{"name": t["name"], "qfmt": t["qfmt"], "afmt": t["afmt"]} for t in m["tmpls"]],
            css=m["css"],
            model_type=genanki.Model.CLOZE if m["type"] == 1 else genanki.Model.FRONT_BACK,
        )
    gdecks = {int(did): genanki.Deck(int(did), d["name"]) for did, d in decks.items()}
    for guid, mid, flds, tags, did in rows:
        note = genanki.Note(
            model=gmodels[mid],
            fields=flds.split("\x1f"),
            tags=tags.split(),
            guid=guid,
        )
        gdecks[did].add_note(note)
    genanki.Package([d for d in gdecks.values() if d.notes]).write_to_file(out)
    seconds = time.perf_counter() - start
    print(json.dumps({"notes": len(rows), "seconds": round(seconds, 3)}))


if __name__ == "__main__":
    main()
