"""A SQLite database in a folder this process cannot write: one line that says why and what to
do. SQLite says only `unable to open database file`, and an operator who pointed DATABASE_URL at
a folder the unit's ProtectSystem=strict leaves read-only, or one owned by root, was left guessing
while systemd restarted the service every 10 s."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from storage.db import DatabaseError, open_database


@contextmanager
def _read_only(path: Path, mode: int, by_mode: str, by_mount: str) -> Iterator[str]:
    """`path` made read-only for this process, giving what the error must say of it: a
    read-only bind mount when running as root (root ignores permission bits), else `mode`."""
    if os.geteuid() != 0:
        kept = path.stat().st_mode & 0o777
        path.chmod(mode)
        try:
            yield by_mode
        finally:
            path.chmod(kept)
        return
    mount = shutil.which("mount")
    done = mount and subprocess.run([mount, "--bind", str(path), str(path)], capture_output=True)
    if not done or done.returncode:
        pytest.skip("root without the right to mount: nothing read-only to try")
    try:
        if subprocess.run([mount, "-o", "remount,bind,ro", str(path)], capture_output=True).returncode:
            pytest.skip("this kernel refused a read-only bind mount")
        yield by_mount
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder this process cannot write, and what the error must say of it: a read-only bind
    mount when running as root (root ignores permission bits), else mode 0555."""
    folder = tmp_path / "data"
    folder.mkdir()
    with _read_only(folder, 0o555, f"the folder {folder} is not writable by the user",
                    f"{folder} is on a read-only file system (under systemd, ProtectSystem=strict") as said:
        yield folder, said

def test_a_database_in_a_folder_it_cannot_write_says_why_and_what_to_do(read_only_folder) -> None:
    folder, said = read_only_folder
    with pytest.raises(DatabaseError) as err:
        open_database(f"sqlite:///{folder / 'monitor.db'}")
    message = str(err.value)
    assert message.startswith(f"cannot open database sqlite:///{folder / 'monitor.db'}: unable to open database file; ")
    assert said in message and "\n" not in message
    assert ("add its folder to ReadWritePaths=" in message) or ("chown" in message)


@pytest.fixture
def read_only_file(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A database at the latest schema that this process can read but not write (its folder
    writable: SQLite opens it read-only), and what a refused write must say of it: a read-only
    bind mount of the file when running as root, else mode 0444."""
    path = tmp_path / "data" / "monitor.db"
    open_database(f"sqlite:///{path}").dispose()
    with _read_only(path, 0o444, f"the file {path} is not writable by the user",
                    f"the file {path} is on a read-only mount") as said:
        yield path, said


def test_a_write_refused_by_a_read_only_file_says_which_file_and_what_to_do(read_only_file) -> None:
    """A file at the latest schema opens (a read), and SQLite then refuses each write with
    `attempt to write a readonly database` alone: the service, `poll-once` and /healthz said
    that, naming no file (a backup restored by root with `cp`, a -wal file a command run as
    root left behind)."""
    from sqlalchemy.exc import OperationalError

    from storage.db import refusal
    from storage.models import Feed

    path, said = read_only_file
    db = open_database(f"sqlite:///{path}")
    try:
        with pytest.raises(OperationalError) as err, db.session() as s:
            s.add(Feed(name="f", url="https://x.org/feed", consecutive_failures=0))
        line = refusal(err.value)
        assert line.startswith("the database refused the command: attempt to write a readonly database; ")
        assert said in line and "\n" not in line
        assert db.write_refused is not None and said in db.write_refused.reason
    finally:
        db.dispose()  # the file closed, so that it can be unmounted


@pytest.fixture
def full_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder on a file system of 1 MB (tmpfs) holding a database at the latest schema,
    closed cleanly (no -wal or -shm file), then filled; root only."""
    folder = tmp_path / "data"
    folder.mkdir()
    mount = shutil.which("mount")
    done = os.geteuid() == 0 and mount and subprocess.run(
        [mount, "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True)
    if not done or done.returncode:
        pytest.skip("no right to mount a small file system to fill")
    try:
        open_database(f"sqlite:///{folder / 'monitor.db'}").dispose()
        with (folder / "filler").open("wb", buffering=0) as fh:
            try:
                while True:
                    fh.write(b"\0" * 4096)
            except OSError:
                pass
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_database_on_a_full_disk_says_so(full_folder: Path) -> None:
    """SQLite cannot make the -wal and -shm files on a full disk and says `disk I/O error`:
    a restart of the service on a full disk read as a failing disk."""
    with pytest.raises(DatabaseError) as err:
        open_database(f"sqlite:///{full_folder / 'monitor.db'}")
    message = str(err.value)
    assert f"the file system of {full_folder} is full" in message and "\n" not in message


def test_an_absolute_path_written_with_three_slashes_is_refused_not_made_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`DATABASE_URL=sqlite:///opt/monitor/data/monitor.db` (three slashes: a path relative to the
    working directory) made the folders opt/monitor/data under it and a new, empty database
    there, and its first poll alerted again every item within backfill_window (the walkthrough:
    9 items, 8 alerts queued again from a second database beside the real one)."""
    from storage.errors import InvalidDatabaseURL

    real = tmp_path / "data" / "monitor.db"
    open_database(f"sqlite:///{real}").dispose()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    three = f"sqlite://{real}"
    with pytest.raises(InvalidDatabaseURL) as err:
        open_database(three)
    assert str(err.value) == (
        f"invalid database URL '{three}': a path after sqlite:/// is relative to the working "
        f"directory ({work}), where {str(real.parent)[1:]}/ is not; for {real} write "
        f"sqlite:///{real} (four slashes)")
    assert list(work.iterdir()) == []  # nothing made under the working directory
    open_database(f"sqlite:///{real}").dispose()  # four slashes: the real one
    (work / "data").mkdir()
    open_database("sqlite:///data/monitor.db").dispose()  # a relative path meant as one still opens
    assert (work / "data" / "monitor.db").is_file()
