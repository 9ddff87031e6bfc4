"""`monitor people` as an operator runs it: real processes on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import monitor

from monitor.match.people import load_seed


def test_the_list_starts_with_the_seed(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    result = monitor("people", "--db", db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "origin", "taught", "by", "date"]
    seed = load_seed()
    assert lines[-1] == f"{len(seed)} names"
    assert all(any(line.startswith(name) and " seed " in line for line in lines) for name in seed)


def test_the_list_creates_no_database(tmp_path: Path) -> None:
    """Listed from another directory than the service's, `people` created an empty
    data/monitor.db there; now it shows the seed with the note status and tally give."""
    db = tmp_path / "data" / "m.db"
    result = monitor("people", "--db", f"sqlite:///{db}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"{len(load_seed())} names"
    assert f"note: no database at sqlite:///{db} yet" in result.stderr
    assert not db.exists() and not db.parent.exists()


def test_add_and_remove(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    added = monitor("people", "--db", db, "add", "Teodoro", "Quintana")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "watching Teodoro Quintana"
    again = monitor("people", "--db", db, "add", "TEODORO QUINTANA")
    assert again.stdout.strip() == "Teodoro Quintana is already watched"
    listed = monitor("people", "--db", db).stdout
    [row] = [line for line in listed.splitlines() if line.startswith("Teodoro Quintana")]
    assert "operator" in row and "added by cli:" in row
    removed = monitor("people", "--db", db, "remove", "teodoro quintana")
    assert removed.returncode == 0
    assert removed.stdout.strip() == "stopped watching Teodoro Quintana; it will not be learned again"
    assert "Teodoro Quintana" not in monitor("people", "--db", db).stdout
    assert "operator (removed)" in monitor("people", "--db", db, "--all").stdout
    unknown = monitor("people", "--db", db, "remove", "Nadie Conocido")
    assert unknown.returncode == 2
    assert "nobody named 'Nadie Conocido' is watched" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_seed_writes_a_sorted_reproducible_list(tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.jsonl"
    rows = [
        {"id": "1", "date": "2026-01-05", "title": "Excarcelan a Wilmer Azócar y Teodoro Quintana, confirma Foro Penal",
         "summary": "", "topics": ["political_prisoners"]},
        {"id": "2", "date": "2026-01-06", "title": "Detienen al periodista Ramiro Oquendo en Caracas",
         "summary": "", "topics": ["political_prisoners"]},
        {"id": "3", "date": "2026-01-07", "title": "Excarcelan a Iris Mujica, confirma Foro Penal",
         "summary": "", "topics": ["political_prisoners"]},
        {"id": "4", "date": "2026-01-05", "title": "Liberan a Rosa Quintero, secuestrada en Colombia",
         "summary": "", "topics": []},  # gold says not relevant: nothing learned
    ]
    labelled.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "seed.txt"
    result = monitor("people", "seed", "--from", str(labelled), "--until", "2026-01-06", "--out", str(out))
    assert result.returncode == 0, result.stderr
    names = [ln for ln in out.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    assert names == ["Ramiro Oquendo", "Teodoro Quintana", "Wilmer Azócar"]
    first = out.read_bytes()
    monitor("people", "seed", "--from", str(labelled), "--until", "2026-01-06", "--out", str(out))
    assert out.read_bytes() == first
    missing = monitor("people", "seed", "--from", str(tmp_path / "nope.jsonl"), "--out", str(out))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_classify_uses_the_seed_without_a_database(tmp_path: Path) -> None:
    name = load_seed()[0]
    line = json.dumps({"id": "a", "title": f"{name} celebra su cumpleaños"}, ensure_ascii=False)
    result = monitor("classify", "--db", f"sqlite:///{tmp_path / 'absent' / 'x.db'}", stdin=line + "\n")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["topics"] == ["political_prisoners"]
    assert out["matches"]["political_prisoners"] == [name]
    assert not (tmp_path / "absent").exists()


def test_seed_refuses_a_date_that_is_not_iso(tmp_path: Path) -> None:
    source = tmp_path / "labels.jsonl"
    source.write_text('{"id": "1", "title": "x", "date": "2026-01-25"}\n', encoding="utf-8")
    result = monitor("people", "seed", "--from", str(source), "--until", "2026-1-21", "--out", "-")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --until '2026-1-21' is not an ISO date (YYYY-MM-DD)"


def test_seed_reads_a_bom_and_stops_on_a_bad_line_with_one_error(tmp_path: Path) -> None:
    """The headlines file is read as classify and eval read theirs (core/jsonlines.py): a
    byte order mark is no error, a line that is not UTF-8 or nested too deeply is one line,
    not a traceback."""
    row = {"id": "1", "date": "2026-01-06", "title": "Detienen al periodista Ramiro Oquendo en Caracas",
           "summary": "", "topics": ["political_prisoners"]}
    source = tmp_path / "labels.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + json.dumps(row, ensure_ascii=False).encode() + b"\n")
    good = monitor("people", "seed", "--from", str(source), "--out", "-")
    assert good.returncode == 0, good.stderr
    assert "Ramiro Oquendo" in good.stdout.splitlines()
    for bad, why in ((b'{"title": "caf\xe9"}', "not UTF-8 (byte 0xe9 at column 15)"),
                     (b"[" * 100_000, "invalid JSON: nested too deeply")):
        source.write_bytes(json.dumps(row).encode() + b"\n" + bad + b"\n")
        result = monitor("people", "seed", "--from", str(source), "--out", "-")
        assert result.returncode == 2
        assert result.stderr.strip() == f"error: {source}: line 2: {why}"


def test_add_refuses_a_name_without_letters(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    for name in ("123", "4 5", "--"):
        result = monitor("people", "--db", db, "add", "--", name)
        assert result.returncode == 2, (name, result.stdout)
        assert result.stderr.strip() == f"error: {name!r} is not a name: it has no letters"
    listed = monitor("people", "--db", db).stdout.splitlines()
    assert not any(line.split()[0] in ("123", "4") for line in listed[2:-1])


def test_add_refuses_a_name_of_particles_alone(tmp_path: Path) -> None:
    """'de la' (what is left of a pasted name) was watched, not ambiguous, and every item
    holding "de la" matched political_prisoners."""
    db = f"sqlite:///{tmp_path / 'm.db'}"
    for name in ("de la", "Y", "DE LOS"):
        result = monitor("people", "--db", db, "add", name)
        assert result.returncode == 2, (name, result.stdout)
        assert result.stderr.strip() == f"error: {name!r} is not a name: it has only particles (de, la, y…)"
    assert monitor("people", "--db", db, "add", "Ana de la Cruz").returncode == 0


def test_a_lock_held_by_another_process_is_one_line_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """Another process holding the write lock past the busy timeout (a `monitor` command
    stopped with Ctrl-Z, `sqlite3` left in a transaction) made `people add` end in a
    SQLAlchemy traceback. In-process, with the timeout cut from 10 s to 0.2 s."""
    import sqlite3

    import storage.db
    from monitor.cli import main

    monkeypatch.setattr(storage.db, "BUSY_TIMEOUT", 0.2)
    db = f"sqlite:///{tmp_path / 'm.db'}"
    storage.db.open_database(db).dispose()  # created and migrated (listing no longer creates it)
    holder = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    capsys.readouterr()
    try:
        code = main(["people", "--db", db, "add", "Teodoro", "Quintana"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    locked = capsys.readouterr()
    assert code == 1 and locked.out == ""
    assert locked.err.splitlines() == [
        "error: the database is locked: another process (the service, another command, sqlite3) "
        "held its write lock for over 0.2 s; nothing was changed, try again"]
    assert main(["people", "--db", db]) == 0 and "Teodoro Quintana" not in capsys.readouterr().out
    assert main(["people", "--db", db, "add", "Teodoro", "Quintana"]) == 0


@pytest.mark.parametrize("where", ["a-folder", "no-such-folder/seed.txt"])
def test_seed_to_a_path_it_cannot_write_is_one_line(tmp_path: Path, where: str) -> None:
    """`--out` naming a folder, or a file in a folder that does not exist: IsADirectoryError or
    FileNotFoundError, a traceback after the whole seed was computed."""
    (tmp_path / "a-folder").mkdir()
    source = tmp_path / "labelled.jsonl"
    source.write_text(json.dumps({"id": "1", "date": "2026-01-05", "title": "Excarcelan a Iris Mujica",
                                  "topics": ["political_prisoners"]}) + "\n", encoding="utf-8")
    result = monitor("people", "seed", "--from", str(source), "--out", str(tmp_path / where))
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"error: cannot write {tmp_path / where}: ") and "Traceback" not in result.stderr


def test_a_name_with_an_escape_sequence_or_a_direction_override_is_listed_escaped(tmp_path: Path) -> None:
    """A name given to /watch (or `people add`) or a title that taught one is stored as written;
    the list printed its escape sequence (clear the screen) and its U+202E (the rest of the row
    reversed) raw to the operator's terminal. Now escaped, the columns aligned on what is shown."""
    db = f"sqlite:///{tmp_path / 'm.db'}"
    assert monitor("people", "--db", db, "add", "Ana\x1b[2J", "\u202eGómez").returncode == 0
    assert monitor("people", "--db", db, "add", "Teodoro", "Quintana").returncode == 0
    listed = monitor("people", "--db", db).stdout
    assert "\x1b" not in listed and "\u202e" not in listed
    [ana] = [line for line in listed.splitlines() if line.startswith("Ana")]
    [teodoro] = [line for line in listed.splitlines() if line.startswith("Teodoro")]
    # the override, a format character, is dropped from a name as it is given (core.people.clean_name)
    assert ana.startswith("Ana\\x1b[2J Gómez  ") and ana.index("operator") == teodoro.index("operator")
