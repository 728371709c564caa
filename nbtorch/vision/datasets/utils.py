"""Where datasets live, and downloading them safely.

``data_root()`` is the folder datasets use when you pass ``root=None``: ``$NBTORCH_DATA``, or
``nbtorch`` in your cache folder (``$XDG_CACHE_HOME``, default ``~/.cache``).

``download_url`` tries each mirror in turn, shows a progress bar, writes to a temporary file,
checks the MD5 checksum, and only then renames the file to its final name: an interrupted or
damaged download never leaves a file that looks complete.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

from ..._config import data_root  # noqa: F401  (re-exported: datasets use it as the default root)

CHUNK = 1 << 16


def calculate_md5(path: str | Path) -> str:
    """The MD5 checksum of a file, as 32 hex digits."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_integrity(path: str | Path, md5: str | None = None) -> bool:
    """True if the file exists and, when ``md5`` is given, has that checksum."""
    return os.path.isfile(path) and (md5 is None or calculate_md5(path) == md5)


def _fetch(url: str, tmp: Path, timeout: float) -> None:
    """Stream ``url`` into ``tmp`` with a progress bar."""
    from tqdm.auto import tqdm

    with urllib.request.urlopen(url, timeout=timeout) as response, open(tmp, "wb") as out:
        total = response.length
        with tqdm(total=total, unit="B", unit_scale=True, desc=url.rsplit("/", 1)[-1]) as bar:
            for chunk in iter(lambda: response.read(CHUNK), b""):
                out.write(chunk)
                bar.update(len(chunk))
        if total is not None and out.tell() != total:
            raise OSError(f"connection closed after {out.tell()} of {total} bytes")


def download_url(urls: str | list[str], root: str | Path, filename: str,
                 md5: str | None = None, timeout: float = 30.0) -> Path:
    """Download ``filename`` into ``root`` from the first of ``urls`` that works.

    A file already there with the right checksum is kept; one with a wrong checksum (a
    truncated or corrupt earlier download) is reported and downloaded again.
    """
    urls = [urls] if isinstance(urls, str) else list(urls)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    path = root / filename
    if path.exists():
        if check_integrity(path, md5):
            return path
        print(f"{path} is corrupt or incomplete (wrong MD5 checksum): downloading it again")
    tmp = root / f".{filename}.part"
    errors = []
    for url in urls:
        try:
            _fetch(url, tmp, timeout)
            if md5 is not None and calculate_md5(tmp) != md5:
                raise OSError(f"MD5 checksum mismatch (expected {md5}, got "
                              f"{calculate_md5(tmp)})")
            os.replace(tmp, path)
            return path
        except (urllib.error.URLError, OSError, ValueError) as e:
            errors.append(f"  {url}: {e}")
            print(f"Failed to download {url} ({e}); trying the next mirror"
                  if url != urls[-1] else f"Failed to download {url} ({e})")
        finally:
            if tmp.exists():
                tmp.unlink()
    raise RuntimeError(
        f"Could not download {filename}:\n" + "\n".join(errors) + "\n"
        f"If this machine is offline, download the file elsewhere (from {urls[0]}) and copy "
        f"it to {path}, or set NBTORCH_DATA to a folder that has it. For MNIST, "
        "datasets.MNIST(root=None) uses the small subset shipped with nbtorch.")


def extract_archive(archive: str | Path, to: str | Path) -> None:
    """Unpack a .tar/.tar.gz archive into ``to``, refusing paths that leave the folder."""
    with tarfile.open(archive) as tar:
        tar.extractall(to, filter="data")
