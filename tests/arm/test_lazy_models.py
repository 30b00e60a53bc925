"""A provider's api-versions load on first use: a write at one version loads that version's models
only (loading all of them made the first write of a type after a start wait seconds). The provider's
package loads its declarations' own version at start; that is not counted."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

# In a fresh interpreter: this test process has loaded many versions already.
_SCRIPT = textwrap.dedent(
    """
    import json, sys, tempfile
    from pathlib import Path
    from starlette.testclient import TestClient
    from arm_emulator.app import create_app
    from arm_emulator.settings import Settings

    group = "/subscriptions/00000000-0000-4000-8000-0000000000d1/resourceGroups/lazy"
    workspace = group + "/providers/Microsoft.HealthcareApis/workspaces/lazyws"
    def models_loaded():
        prefix = "arm_emulator.providers.healthcareapis.models_"
        return {name.rsplit(".", 1)[1] for name in sys.modules if name.startswith(prefix)}

    with tempfile.TemporaryDirectory() as data:
        app = create_app(Settings(data_dir=Path(data), port=0))
        with TestClient(app, base_url="https://emulator", headers={"Authorization": "Bearer t"}) as client:
            client.put(group + "?api-version=2021-04-01", json={"location": "eastus"})
            before = models_loaded()
            statuses = [
                client.put(workspace + "?api-version=2024-03-31", json={"location": "eastus"}).status_code,
                client.get(workspace + "?api-version=2024-03-31").status_code,
            ]
    print(json.dumps({"statuses": statuses, "loaded": sorted(models_loaded() - before)}))
    """
)


def test_a_write_at_one_version_loads_only_that_versions_models() -> None:
    done = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"statuses": [201, 200], "loaded": ["models_2024_03_31"]}
