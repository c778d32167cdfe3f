"""capprobe's pytest plugin (entry point `pytest11`, loaded wherever capprobe is installed):
a test marked with a device profile gets that profile's manifest (probe/fixtures.py).

    @pytest.mark.capability_profile("rpi4-usb-dac")
    def test_player_picks_hi_res(capability_manifest):
        assert "HI_RES" in capability_manifest["capabilities"]["qualities"]
"""

from __future__ import annotations

from typing import Any

import pytest

MARKER = "capability_profile"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(name): the capprobe device profile whose manifest the "
        "capability_manifest fixture gives (python -m probe.fixtures lists them)",
    )


@pytest.fixture
def capability_manifest(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The manifest (parsed JSON) of the profile the test's capability_profile marker names."""
    from probe import fixtures

    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        pytest.fail(
            f"capability_manifest needs the test marked @pytest.mark.{MARKER}(NAME); "
            f"the profiles are {', '.join(fixtures.names())}",
            pytrace=False,
        )
    name = marker.args[0] if marker.args else marker.kwargs.get("name")
    if not isinstance(name, str):
        pytest.fail(f"@pytest.mark.{MARKER} takes one profile name, got {marker}", pytrace=False)
    try:
        return fixtures.load(name)
    except LookupError as e:
        unknown = str(e.args[0])
    pytest.fail(unknown, pytrace=False)  # outside the except: no chained traceback
