"""The OpenAPI document tells the truth: schemathesis, a client that is not ours, runs all its
checks against /ogcapi/ and finds nothing (schemathesis.toml says what it allows and why)."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.clients

ROOT = Path(__file__).resolve().parent.parent


def test_schemathesis_finds_nothing_with_all_its_checks(live_url):
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "schemathesis"),
            "run",
            f"{live_url}/ogcapi/api",
            "--checks",
            "all",
            "--max-examples",
            "25",
            "--seed",
            "20210428",
            "--no-color",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = result.stdout[-3000:]
    assert result.returncode == 0, summary
    assert "passed" in summary and "failed" not in summary.split("Test cases:")[-1], summary
