#!/usr/bin/env python3
"""Dependency hygiene, offline: every dependency a crate declares is named in
its code, and no second major version of quick-xml or zip is built.

Unused: a dependency of [dependencies] must appear (as its Rust name, a word)
in the crate's src/; one of [dev-dependencies] in src/, tests/, benches/ or
examples/. Duplicates: `cargo tree --duplicates` over the workspace.
"""
import pathlib
import re
import subprocess
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Declared for what they are, not named in code.
NAMED_ELSEWHERE = {"mimalloc"}  # the global allocator: `mimalloc::MiMalloc`
SINGLE_MAJOR = ("quick-xml", "zip")
# Second versions allowed, by name: none today (quick-xml 0.42 is the one
# calamine builds, rust_xlsxwriter 0.102 builds zip 9 as the workspace does).
# A pair added here must say which dependency pulls it and what removes it.
KNOWN_PAIRS: dict[str, set[str]] = {}


PATH_ATTR = re.compile(r'#\[path\s*=\s*"([^"]+)"\]')


def rust_files(crate, dirs):
    """The crate's files in `dirs`, and the files they include by #[path]."""
    seen = set()
    todo = [f for d in dirs for f in (crate / d).rglob("*.rs")]
    while todo:
        f = todo.pop().resolve()
        if f in seen or not f.is_file():
            continue
        seen.add(f)
        yield f
        for included in PATH_ATTR.findall(f.read_text(errors="replace")):
            target = f.parent / included
            todo.append(target)
            if target.is_dir() or target.suffix != ".rs":
                continue
            todo.extend(target.parent.rglob("*.rs") if target.name == "mod.rs" else [])


def used(name, files):
    ident = re.compile(r"\b" + re.escape(name.replace("-", "_")) + r"\b")
    return any(ident.search(f.read_text(errors="replace")) for f in files)


problems = []
for manifest in sorted(ROOT.glob("crates/*/Cargo.toml")):
    crate = manifest.parent
    toml = tomllib.loads(manifest.read_text())
    for table, dirs in (
        ("dependencies", ["src"]),
        ("dev-dependencies", ["src", "tests", "benches", "examples"]),
    ):
        files = list(rust_files(crate, dirs))
        for dep in toml.get(table, {}):
            if dep in NAMED_ELSEWHERE and dep in (ROOT / manifest).read_text():
                if used(dep, files) or table == "dependencies":
                    continue
            if not used(dep, files):
                problems.append(f"{crate.name}: [{table}] {dep} is not used")

tree = subprocess.run(
    ["cargo", "tree", "--workspace", "--duplicates", "--locked", "--offline",
     "-e", "normal,build,dev", "--prefix", "none", "--format", "{p}"],
    cwd=ROOT, capture_output=True, text=True,
)
if tree.returncode != 0:
    problems.append("cargo tree failed: " + tree.stderr.strip())
versions = {}
for line in tree.stdout.splitlines():
    parts = line.split()
    if len(parts) >= 2 and parts[0] in SINGLE_MAJOR:
        versions.setdefault(parts[0], set()).add(parts[1])
for name, found in sorted(versions.items()):
    majors = {v.lstrip("v").split(".")[0] if not v.startswith("v0.") else ".".join(v.lstrip("v").split(".")[:2]) for v in found}
    if len(majors) > 1:
        line = f"{name}: {len(majors)} versions are built ({', '.join(sorted(found))})"
        if found <= KNOWN_PAIRS.get(name, set()):
            print(f"known, not yet removed: {line}")
        else:
            problems.append(line)

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
