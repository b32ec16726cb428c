"""Replace a set of files in a folder all at once, or not at all, even across ``kill -9``.

Renaming one temporary file over its target is atomic for that file only; a build writes several
(TriG, Turtle, JSON-LD, the source), and a process killed between two renames would leave a mix
of two builds. :func:`write_files` therefore works in steps, under an exclusive ``flock`` on the
folder (released by the kernel when the process dies, however it dies):

1. every new content is written to a hidden temporary file beside its target and fsynced;
2. every target that exists is hard-linked to a hidden backup;
3. a journal (``.policykg-journal.json``) naming the targets, temporaries and backups is
   written atomically: from here on the write can be undone;
4. the temporaries are renamed over their targets;
5. the journal is removed (the commit point) and then the backups.

:func:`recover`, run under the same lock at the start of every write and before the graphs are
read (``policykg serve``, ``query``, …), undoes an interrupted write: if a journal is left, the
backups go back over their targets and targets that did not exist before are removed; then any
hidden temporary or backup file is removed. So after a kill at any moment, the folder holds the
previous set of files, byte for byte, as soon as anyone looks; no temporary file is ever named
like a graph (they end in ``.policykg-tmp`` and ``.policykg-bak``).

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> [p.name for p in write_files(folder, {"a.trig": b"A", "sub/b.ttl": b"B"})]
['a.trig', 'b.ttl']
>>> write_files(folder, {"a.trig": b"A"})  # unchanged: nothing written
[]
>>> recover(folder)
False
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

__all__ = ["JOURNAL", "recover", "write_files"]

JOURNAL = ".policykg-journal.json"
TEMPORARY = ".policykg-tmp"
BACKUP = ".policykg-bak"


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder itself (no lock file is left behind)."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _hidden(target: Path, suffix: str) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{suffix}")


def _write_synced(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(content)
        stream.flush()
        os.fsync(stream.fileno())


def _undo(folder: Path) -> bool:
    """Roll back the write a journal describes, then sweep leftovers; True if there was one."""
    journal = folder / JOURNAL
    undone = False
    if journal.exists():
        try:
            entries = json.loads(journal.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entries = []  # a journal is renamed into place whole: unreadable means not written
        for entry in entries if isinstance(entries, list) else []:
            target = folder / entry["target"]
            backup = folder / entry["backup"] if entry.get("backup") else None
            if backup is not None and backup.exists():
                os.replace(backup, target)
            elif backup is None:
                target.unlink(missing_ok=True)  # it did not exist before the write
        journal.unlink()
        undone = True
    leftovers = [*folder.rglob(f".*{TEMPORARY}"), *folder.rglob(f".*{BACKUP}")]
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)
    for directory in {folder, *(p.parent for p in leftovers)} if undone or leftovers else ():
        _sync_folder(directory)
    return undone


def recover(folder: Path) -> bool:
    """Undo an interrupted write to ``folder``; True if there was one (no folder: False)."""
    if not folder.is_dir():
        return False
    if not (
        (folder / JOURNAL).exists()
        or any(folder.rglob(f".*{TEMPORARY}"))
        or any(folder.rglob(f".*{BACKUP}"))
    ):
        return False  # the common case: nothing to do, and no need to wait for the lock
    with _locked(folder):
        return _undo(folder)


def write_files(folder: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write ``files`` (relative name → content) under ``folder`` as one atomic change.

    Files whose content is already there are left alone; the changed ones are returned.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        _undo(folder)
        changed = [
            (folder / name, content)
            for name, content in sorted(files.items())
            if not ((folder / name).is_file() and (folder / name).read_bytes() == content)
        ]
        if not changed:
            return []
        moves: list[tuple[Path, Path, Path | None]] = []  # target, temporary, backup
        try:
            for target, content in changed:
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary = _hidden(target, TEMPORARY)
                _write_synced(temporary, content)
                backup = _hidden(target, BACKUP) if target.exists() else None
                if backup is not None:
                    os.link(target, backup)
                moves.append((target, temporary, backup))
            folders = {target.parent for target, _ in changed}
            for directory in folders:
                _sync_folder(directory)
            journal = [
                {
                    "target": str(target.relative_to(folder)),
                    "backup": str(backup.relative_to(folder)) if backup else None,
                }
                for target, _, backup in moves
            ]
            staged = _hidden(folder / JOURNAL, TEMPORARY)
            _write_synced(staged, json.dumps(journal, indent=1).encode("utf-8"))
            os.replace(staged, folder / JOURNAL)
            _sync_folder(folder)
            for target, temporary, _ in moves:
                os.replace(temporary, target)
            for directory in folders:
                _sync_folder(directory)
            (folder / JOURNAL).unlink()  # the commit point
            _sync_folder(folder)
        except BaseException:
            _undo(folder)
            raise
        for _, _, backup in moves:
            if backup is not None:
                backup.unlink(missing_ok=True)
        return [target for target, _ in changed]
