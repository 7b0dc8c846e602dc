"""Files that are whole or absent: what a crash or a power cut must not leave half-written."""

from __future__ import annotations

import os
import tempfile
from contextlib import suppress
from pathlib import Path


def write_atomically(path: Path, data: bytes, folder_mode: int = 0o777) -> None:
    """`data` in `path`, all of it or none: a temporary file beside it, synced,
    renamed over it, and the folder synced so the rename itself survives."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=folder_mode)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
