"""The README's Python example runs, unchanged, against a real server."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import REPO_ROOT
from emulator_process import EmulatorProcess


def _example(marker: str) -> str:
    readme = (REPO_ROOT / "README.md").read_text()
    match = re.search(rf"<!-- example:{marker} .*?-->\n```python\n(.*?)```", readme, re.S)
    assert match, f"README has no example {marker!r}"
    return match.group(1)


@pytest.mark.clients
def test_python_quickstart_creates_everything_and_is_repeatable(emulator: EmulatorProcess) -> None:
    code = _example("python-quickstart")
    env = {**os.environ, "ARM_EMULATOR_URL": emulator.url, "REQUESTS_CA_BUNDLE": str(emulator.ca_file)}
    for _ in range(2):  # the second run finds everything in place
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == [
            "Succeeded https://demows-demodicom.dicom.azurehealthcareapis.com",
            "Succeeded demo-account.api.adu.microsoft.com",
        ]
