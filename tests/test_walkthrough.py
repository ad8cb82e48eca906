"""docs/walkthrough.md runs as written: its ``sh`` blocks, in order, in one shell, against
``govledger run`` on 127.0.0.1 with a data dir of its own; and each example under examples/
is what its licence type or dataset takes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from govledger.cli.world import BUSINESS_LICENCE_TYPE, REGISTER_FIELDS, RESIDENCE_PERMIT_TYPE
from licence_service.service import LicenceRequest
from sharing_gateway.domain.records import Schema, UploadFormat, parse_upload
from tests.govledger.server import cli_environment, serving

ROOT = Path(__file__).resolve().parent.parent
WALKTHROUGH = ROOT / "docs" / "walkthrough.md"
EXAMPLES = ROOT / "examples"
_SH_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def shell_blocks(markdown: str) -> list[str]:
    return _SH_BLOCK.findall(markdown)


def test_the_walkthrough_runs_against_a_real_server(tmp_path: Path) -> None:
    blocks = shell_blocks(WALKTHROUGH.read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    (tmp_path / "examples").symlink_to(EXAMPLES)
    data_dir = tmp_path / ".govledger"
    with serving(data_dir, command=("run",)) as url:
        env = cli_environment(data_dir, {"URL": url})
        # As in the repository's root after `make run`: the data dir is ./.govledger.
        del env["GOVLEDGER_DATA_DIR"]
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
        script = "set -euo pipefail\n" + "\n".join(blocks)
        result = subprocess.run(
            ["bash", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    assert result.returncode == 0, (result.stdout, result.stderr)
    issued = json.loads((tmp_path / "issued.json").read_text(encoding="utf-8"))
    assert issued["licence_id"] in result.stdout


def test_each_example_is_valid_input() -> None:
    types = set()
    for path in sorted(EXAMPLES.glob("*.json")):
        request = LicenceRequest.model_validate_json(path.read_bytes())
        types.add(request.type_code)
    assert types == {RESIDENCE_PERMIT_TYPE, BUSINESS_LICENCE_TYPE}
    records = parse_upload(
        Schema(REGISTER_FIELDS), (EXAMPLES / "business-register.csv").read_bytes(), UploadFormat.CSV
    )
    assert len(records) >= 4
