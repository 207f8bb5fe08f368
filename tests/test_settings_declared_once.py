"""Every setting is declared once, in vscode-extension/package.json; the server and the extension agree with it.

The server keeps its own defaults (it runs without the extension, and package.json is not in the wheel), so
this test is what stops them drifting: names, types, defaults, bounds and choices, through the server's real
parser. The extension reads its defaults and bounds from package.json itself (src/settings.ts).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from codeexecutor.server.config import SECTION, WIRE_KEYS, Settings, parse_settings

ROOT = Path(__file__).resolve().parents[1]
DECLARED = json.loads((ROOT / "vscode-extension/package.json").read_text())["contributes"]["configuration"][
    "properties"]
EXTENSION_ONLY = {"interpreter", "autoSetupEnvironment"}
SERVER_DECLARED = {name.removeprefix(f"{SECTION}."): spec for name, spec in DECLARED.items()
                   if name.removeprefix(f"{SECTION}.") not in EXTENSION_ONLY}


def accepted(key: str, value: object) -> bool:
    _, problems = parse_settings({key: value})
    return not problems


def test_the_server_reads_exactly_the_declared_settings() -> None:
    assert sorted(WIRE_KEYS) == sorted(SERVER_DECLARED)


def test_the_extension_sends_exactly_the_declared_settings() -> None:
    source = (ROOT / "vscode-extension/src/settings.ts").read_text()
    body = re.search(r"export interface ServerSettings \{(.*?)\}", source, re.S).group(1)
    assert sorted(re.findall(r"^\s*(\w+):", body, re.M)) == sorted(SERVER_DECLARED)
    only = re.search(r"EXTENSION_ONLY_SETTINGS: readonly string\[\] = \[(.*?)\]", source, re.S).group(1)
    assert sorted(re.findall(r'"(\w+)"', only)) == sorted(EXTENSION_ONLY)


@pytest.mark.parametrize("key", sorted(SERVER_DECLARED))
def test_the_declared_default_is_the_servers(key: str) -> None:
    settings, problems = parse_settings({key: SERVER_DECLARED[key]["default"]})
    assert problems == []
    assert settings == Settings()


@pytest.mark.parametrize("key", sorted(SERVER_DECLARED))
def test_the_declared_type_and_bounds_are_the_servers(key: str) -> None:
    spec = SERVER_DECLARED[key]
    kind = spec["type"]
    if kind == "boolean":
        assert accepted(key, not spec["default"]) and not accepted(key, "yes")
    elif kind in ("integer", "number"):
        low, high = spec["minimum"], spec["maximum"]
        step = 1 if kind == "integer" else 0.001
        assert accepted(key, low) and accepted(key, high)
        assert not accepted(key, low - step) and not accepted(key, high + step)
        assert not accepted(key, "1")
        assert accepted(key, low + 0.5) == (kind == "number")
    elif "enum" in spec:
        assert all(accepted(key, choice) for choice in spec["enum"])
        assert not accepted(key, "none of these")
    else:
        assert kind == "string" and accepted(key, "some text") and not accepted(key, 3)
