"""docs/operations.md shows the deployment files that are tested: its copies equal the files
in docs/deploy/ (nginx.conf is the one tests/test_deployment.py runs), the environment file
satisfies SIJIL_ENV=production, and systemd accepts the units."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from server.config import load_settings
from tests.processes import SIJIL

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "docs" / "deploy"


def quoted_files() -> dict[str, str]:
    text = (ROOT / "docs" / "operations.md").read_text()
    return dict(re.findall(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```", text, re.S))


def test_the_document_quotes_the_deployment_files_exactly():
    quoted = quoted_files()
    assert set(quoted) == {f"docs/deploy/{p.name}" for p in DEPLOY.iterdir()}
    for path, text in quoted.items():
        assert text == (ROOT / path).read_text(), f"{path} differs from its copy in the doc"


def test_the_documented_environment_is_a_complete_production_one(tmp_path):
    env = {}
    for line in (DEPLOY / "sijil.env").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    settings = load_settings({**env, "DATA_DIR": str(tmp_path)})
    assert settings.production and settings.storage_url.startswith("s3://")
    assert settings.forwarded_allow_ips == ("10.0.0.10",)


def test_systemd_accepts_the_units(tmp_path):
    for unit in ("sijil-web@.service", "sijil-worker.service"):
        text = (DEPLOY / unit).read_text().replace("/opt/sijil/venv/bin/sijil", SIJIL)
        name = unit.replace("@.", "@8001.")
        (tmp_path / name).write_text(text)
        verified = subprocess.run(
            [shutil.which("systemd-analyze") or "systemd-analyze", "verify", "--man=no",
             str(tmp_path / name)], capture_output=True, text=True, timeout=60)
        assert verified.returncode == 0 and not verified.stderr.strip(), verified.stderr
