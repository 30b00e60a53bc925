"""Regenerates the pydantic models from the OpenAPI documents in specs/ (run by `make generate`).

    python tools/generate_models.py            write every stale src/arm_emulator/providers/<ns>/models_*.py
    python tools/generate_models.py --check    change nothing; exit 1 if a committed module is stale or missing

Inputs, discovered (nothing is listed here or in the Makefile):
    specs/<ns>/<version>.json         a full OpenAPI 3.0.3 document
    specs/<ns>/<version>.delta.json   {"base": "<version>", "patch": {...}}: the RFC 7396 merge-patch `patch`
                                      applied to the whole document of `base`, another version in the same
                                      folder (full or itself a delta, so deltas chain version to version).
Each becomes src/arm_emulator/providers/<ns>/models_<version, '-' -> '_'>.py. Deltas are assembled into full
documents in a temporary directory first; arm_emulator.arm.bodies.merge_patch applies them.

One datamodel-codegen (0.89, pinned in pyproject.toml) generation per document, with these flags:
  --input-file-type openapi                  the documents are OpenAPI 3.0.3.
  --output-model-type pydantic_v2.BaseModel  pydantic v2 models.
  --target-python-version 3.11               the project's minimum Python (X | None, list[...]).
  --target-pydantic-version 2                stay within what pyproject's pydantic>=2.7 supports.
  --read-only-write-only-model-type request-response
                                             a schema with readOnly fields (at any depth) becomes
                                             <Name>Request (readOnly fields dropped: what a client may
                                             send) and <Name>Response (everything). Schemas without any
                                             become one plain <Name> class. We do not use "all": in 0.89
                                             its <Name>Request classes nest the *base* model (so
                                             WorkspaceRequest.properties would still accept
                                             provisioningState) and it emits no <Name>Response classes.
  --collapse-root-models                     named enum schemas (ProvisioningState, ...) become inline
                                             Literal[...] types instead of RootModel wrappers.
  --enum-field-as-literal all                enums as Literal[...] (ARM enums are open strings on the
                                             wire, but the spec lists the only values we emit).
  --use-annotated --use-standard-collections Annotated[..., Field(...)] and list/dict builtins.
  --use-schema-description                   schema descriptions become class docstrings.
  --output-datetime-class AwareDatetime      format: date-time -> timezone-aware datetime (pinned).
  --formatters builtin                       no dependency on black/isort versions (their output and
                                             the deprecation warnings they trigger would drift).
  --disable-timestamp --custom-file-header   byte-identical output on every run; the header names the
                                             source document(s) and says the file must not be edited.
  --check                                    (with our --check) compare with the committed module instead
                                             of writing it.
--output is always the real module path, also with --check: the builtin formatter takes its settings (the
120-column line length) from the pyproject.toml above the output file.

The generations run in JOBS worker processes that call datamodel-codegen's CLI entry point in-process: a
worker pays the generator's start-up (about 1.5 s) once, and each further document takes a fraction of a
second. The output is the same as the `datamodel-codegen` command's.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO / "specs"
PROVIDERS = REPO / "src" / "arm_emulator" / "providers"
DELTA_SUFFIX = ".delta.json"
# The test machine has 2 cores; `make test` runs this.
JOBS = 2
VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(-[a-z]+)?$")

CODEGEN_FLAGS = (
    "--input-file-type", "openapi",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--target-python-version", "3.11",
    "--target-pydantic-version", "2",
    "--read-only-write-only-model-type", "request-response",
    "--collapse-root-models",
    "--enum-field-as-literal", "all",
    "--use-annotated",
    "--use-standard-collections",
    "--use-schema-description",
    "--output-datetime-class", "AwareDatetime",
    "--formatters", "builtin",
    "--disable-timestamp",
)  # fmt: skip


class SpecError(Exception):
    """A spec file that cannot be assembled."""


@dataclass(frozen=True)
class Spec:
    """One api-version of one provider namespace: a full document or a delta over another version."""

    namespace: str
    version: str
    path: Path
    base: str | None = None  # the base version, for a delta

    @property
    def module(self) -> Path:
        return PROVIDERS / self.namespace / f"models_{self.version.replace('-', '_')}.py"

    @property
    def label(self) -> str:
        return f"specs/{self.namespace}/{self.path.name}"


def discover(specs_dir: Path = SPECS) -> dict[str, dict[str, Spec]]:
    """Every spec under specs_dir: {namespace: {version: Spec}}."""
    found: dict[str, dict[str, Spec]] = {}
    for path in sorted(specs_dir.glob("*/*.json")):
        namespace = path.parent.name
        if path.name.endswith(DELTA_SUFFIX):
            version = path.name.removesuffix(DELTA_SUFFIX)
            delta = _read_json(path)
            if not isinstance(delta, dict) or set(delta) != {"base", "patch"}:
                raise SpecError(f'{path}: a delta is {{"base": <version>, "patch": {{...}}}} and nothing else')
            if not isinstance(delta["base"], str) or not isinstance(delta["patch"], dict):
                raise SpecError(f"{path}: base must be a version string and patch an object")
            spec = Spec(namespace, version, path, delta["base"])
        else:
            version = path.name.removesuffix(".json")
            spec = Spec(namespace, version, path)
        if not VERSION.match(version):
            raise SpecError(f"{path}: {version!r} is not an api-version (YYYY-MM-DD or YYYY-MM-DD-<suffix>)")
        versions = found.setdefault(namespace, {})
        if version in versions:
            raise SpecError(f"{path}: version {version} is also defined by {versions[version].path.name}")
        versions[version] = spec
    return found


def chain(spec: Spec, versions: dict[str, Spec]) -> list[Spec]:
    """The specs to apply, full document first, ending with spec itself."""
    specs = [spec]
    while specs[-1].base is not None:
        base = versions.get(specs[-1].base)
        if base is None:
            raise SpecError(f"{specs[-1].path}: base {specs[-1].base} has no spec in specs/{spec.namespace}/")
        if base in specs:
            raise SpecError(f"{spec.path}: deltas form a cycle: " + " -> ".join(s.version for s in [*specs, base]))
        specs.append(base)
    return specs[::-1]


def assemble(spec: Spec, versions: dict[str, Spec]) -> dict[str, Any]:
    """The full OpenAPI document of spec: its base chain's full document with every delta merge-patched in."""
    merge_patch = _merge_patch()
    full, *deltas = chain(spec, versions)
    document = _read_json(full.path)
    for delta in deltas:
        document = merge_patch(document, _read_json(delta.path)["patch"])
    info = document.get("info") if isinstance(document, dict) else None
    if not isinstance(info, dict) or info.get("version") != spec.version:
        raise SpecError(f"{spec.path}: the assembled document's info.version must be {spec.version!r}")
    return document


def header(spec: Spec, versions: dict[str, Spec]) -> str:
    lines = [f"# GENERATED by datamodel-code-generator from {spec.label}"]
    if spec.base is None:
        lines[0] += "."
    else:
        applied = " + ".join(s.path.name for s in chain(spec, versions))
        lines += textwrap.wrap(
            f"({applied}: RFC 7396 merge-patches, applied in that order).",
            width=110,
            initial_indent="# ",
            subsequent_indent="# ",
            break_on_hyphens=False,
        )
    lines += [
        f"# DO NOT EDIT: change the spec (and specs/{spec.namespace}/README.md), then regenerate",
        "# with `make generate`.",
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class Job:
    label: str
    input: Path
    output: Path
    header: str
    check: bool


def codegen_args(job: Job) -> list[str]:
    args = ["--input", str(job.input), "--output", str(job.output), *CODEGEN_FLAGS]
    if job.check:
        args.append("--check")
    return [*args, "--custom-file-header", job.header]


def run_job(job: Job) -> tuple[int, str]:
    """One datamodel-codegen generation in this (worker) process: its exit code and everything it printed."""
    from datamodel_code_generator.__main__ import main as datamodel_codegen

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        code = datamodel_codegen(codegen_args(job))
    return int(code), printed.getvalue()


def orphans(found: dict[str, dict[str, Spec]]) -> list[Path]:
    """Generated modules that no spec produces any more."""
    expected = {spec.module for versions in found.values() for spec in versions.values()}
    return [path for path in sorted(PROVIDERS.glob("*/models_*.py")) if path not in expected]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; fail if a module is stale")
    parser.add_argument("--jobs", type=int, default=JOBS, help=f"worker processes (default {JOBS})")
    parser.add_argument("--dump", type=Path, help="also write the assembled documents to DUMP/<ns>/<version>.json")
    options = parser.parse_args(argv)
    started = time.monotonic()

    try:
        found = discover()
        with tempfile.TemporaryDirectory(prefix="arm-emulator-specs-") as scratch:
            jobs = []
            for namespace, versions in found.items():
                for spec in versions.values():
                    source = spec.path
                    if spec.base is not None or options.dump:
                        document = assemble(spec, versions)
                        for folder in (Path(scratch), options.dump):
                            if folder is None:
                                continue
                            assembled = folder / namespace / f"{spec.version}.json"
                            assembled.parent.mkdir(parents=True, exist_ok=True)
                            assembled.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
                            if folder == Path(scratch) and spec.base is not None:
                                source = assembled
                    jobs.append(Job(spec.label, source, spec.module, header(spec, versions), options.check))
            results = _run_all(jobs, options.jobs)
    except SpecError as error:
        print(f"generate_models: {error}", file=sys.stderr)
        return 2

    failed = False
    for job, (code, printed) in zip(jobs, results, strict=True):
        if code == 0:
            continue
        failed = True
        what = "stale (run `make generate` and commit)" if options.check and code == 1 else f"failed ({code})"
        print(f"{job.output.relative_to(REPO)} from {job.label}: {what}", file=sys.stderr)
        if printed.strip():
            print(textwrap.indent(printed.rstrip(), "    "), file=sys.stderr)
    for path in orphans(found):
        failed = failed or options.check
        print(f"{path.relative_to(REPO)}: no spec generates it any more; delete it", file=sys.stderr)
    verb = "checked" if options.check else "generated"
    print(f"generate_models: {verb} {len(jobs)} modules in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 1 if failed else 0


def _run_all(jobs: list[Job], workers: int) -> list[tuple[int, str]]:
    if workers <= 1 or len(jobs) <= 1:
        return [run_job(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        return list(pool.map(run_job, jobs))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise SpecError(f"{path}: {error}") from error


def _merge_patch() -> Callable[[Any, Any], Any]:
    """The emulator's own RFC 7396 implementation (the same one that applies PATCH bodies)."""
    src = str(REPO / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    from arm_emulator.arm.bodies import merge_patch

    return merge_patch


if __name__ == "__main__":
    sys.exit(main())
