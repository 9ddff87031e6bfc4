"""A SQLite database in a folder this process cannot write: one line that says why and what to
do. SQLite says only `unable to open database file`, and an operator who pointed DATABASE_URL at
a folder the unit's ProtectSystem=strict leaves read-only, or one owned by root, was left guessing
while systemd restarted the service every 10 s."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.db import DatabaseError, open_database


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder this process cannot write, and what the error must say of it: a read-only bind
    mount when running as root (root ignores permission bits), else mode 0555."""
    folder = tmp_path / "data"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder, f"the folder {folder} is not writable by the user"
        folder.chmod(0o755)
        return
    mount = shutil.which("mount")
    done = mount and subprocess.run([mount, "--bind", str(folder), str(folder)], capture_output=True)
    if not done or done.returncode:
        pytest.skip("root without the right to mount: no read-only folder to try")
    try:
        if subprocess.run([mount, "-o", "remount,bind,ro", str(folder)], capture_output=True).returncode:
            pytest.skip("this kernel refused a read-only bind mount")
        yield folder, f"{folder} is on a read-only file system (under systemd, ProtectSystem=strict"
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


def test_a_database_in_a_folder_it_cannot_write_says_why_and_what_to_do(read_only_folder) -> None:
    folder, said = read_only_folder
    with pytest.raises(DatabaseError) as err:
        open_database(f"sqlite:///{folder / 'monitor.db'}")
    message = str(err.value)
    assert message.startswith(f"cannot open database sqlite:///{folder / 'monitor.db'}: unable to open database file; ")
    assert said in message and "\n" not in message
    assert ("add its folder to ReadWritePaths=" in message) or ("chown" in message)
