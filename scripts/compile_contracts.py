"""Compile the Solidity sources in contracts/src into the committed JSON artifacts.

    .venv/bin/python scripts/compile_contracts.py            # rewrite contracts/artifacts/
    .venv/bin/python scripts/compile_contracts.py --out DIR  # write somewhere else

py-solc-x drives npm's solcjs (solc 0.8.28) through scripts/solc-wrapper, with standard JSON
input. The output is deterministic (sorted keys, newline at the end), so rebuilding unchanged
sources gives byte-identical files; tests/contracts/test_artifacts.py relies on that.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from solcx import compile_standard

from ledger.artifacts import ARTIFACTS_DIR, CONTRACT_NAMES

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_DIR = REPO_ROOT / "contracts"
SOURCES_DIR = CONTRACTS_DIR / "src"
SOLC_WRAPPER = Path(__file__).resolve().parent / "solc-wrapper"

# Everything that influences the bytecode; copied into each artifact. Paris, the last EVM before
# PUSH0 (Shanghai), so that one bytecode runs on every chain govledger targets, Clique included.
SETTINGS: dict[str, Any] = {
    "evmVersion": "paris",
    "optimizer": {"enabled": True, "runs": 200},
    "metadata": {"bytecodeHash": "ipfs"},
}
OUTPUTS = ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "metadata"]


class CompilationFailed(Exception):
    """solc reported errors or warnings; the message lists them."""


def read_sources() -> dict[str, str]:
    """Every .sol file under contracts/src, by source unit name (path relative to contracts/)."""
    return {
        path.relative_to(CONTRACTS_DIR).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(SOURCES_DIR.rglob("*.sol"))
    }


def compile_sources(sources: dict[str, str]) -> dict[str, Any]:
    standard_input = {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": {**SETTINGS, "outputSelection": {"*": {"*": OUTPUTS}}},
    }
    output: dict[str, Any] = compile_standard(standard_input, solc_binary=SOLC_WRAPPER)
    # Warnings fail the build too: the sources are meant to compile cleanly.
    problems = [message["formattedMessage"] for message in output.get("errors", [])]
    if problems:
        raise CompilationFailed("\n".join(problems))
    return output


def build_artifact(name: str, sources: dict[str, str], output: dict[str, Any]) -> dict[str, Any]:
    source_name = f"src/{name}.sol"
    compiled = output["contracts"][source_name][name]
    metadata = json.loads(compiled["metadata"])
    return {
        "contractName": name,
        "sourceName": source_name,
        "abi": compiled["abi"],
        "bytecode": "0x" + compiled["evm"]["bytecode"]["object"],
        "deployedBytecode": "0x" + compiled["evm"]["deployedBytecode"]["object"],
        "compiler": {"name": "solc", "version": metadata["compiler"]["version"]},
        "settings": SETTINGS,
        # Only the sources this contract is built from, as the compiler's metadata lists them.
        "sourceSha256": {
            unit: hashlib.sha256(sources[unit].encode("utf-8")).hexdigest()
            for unit in sorted(metadata["sources"])
        },
    }


def write_artifacts(out_dir: Path) -> list[Path]:
    sources = read_sources()
    output = compile_sources(sources)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in CONTRACT_NAMES:
        path = out_dir / f"{name}.json"
        document = build_artifact(name, sources, output)
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ARTIFACTS_DIR, help="output directory")
    arguments = parser.parse_args(argv)
    try:
        written = write_artifacts(arguments.out)
    except CompilationFailed as error:
        print(error, file=sys.stderr)
        return 1
    for path in written:
        print(path.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
