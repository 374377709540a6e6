"""The wheel is what an operator installs: built from a copy of the sources, installed into a
fresh virtual environment outside the checkout, it migrates a database, serves, and answers
with a page and a static file (templates, static files, operations and translations ship
inside it). Offline: the wheel is built without build isolation, and the new environment
borrows this one's installed dependencies through a .pth file instead of downloading them."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "server", "web")


def run(*command, cwd: Path, env: dict | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A virtual environment holding the built wheel; returns its bin/ directory."""
    base = tmp_path_factory.mktemp("packaging")
    source = base / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
        "--wheel-dir", str(base / "dist"), str(source), cwd=base)
    [wheel] = (base / "dist").glob("sijil-*.whl")

    venv = base / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv), cwd=base)
    python = venv / "bin" / "python"
    site = Path(run(str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                    cwd=base).strip())
    # After the environment's own site-packages, so the wheel's `server` comes first; a path
    # line does not run the .pth files there, so the checkout's editable install stays out.
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
        "--ignore-installed", str(wheel), cwd=base)
    return venv / "bin"


def test_the_installed_wheel_migrates_serves_a_page_and_a_static_file(installed, tmp_path):
    work = tmp_path / "run"
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SIJIL_", "SMTP_", "DATABASE_URL", "DATA_DIR", "PYTHON"))}
    env["SIJIL_ENV"] = "development"  # and the default, relative, DATABASE_URL and DATA_DIR

    where = run(str(installed / "python"), "-c",
                "import server, server.config as c; print(server.__file__); print(c.WEB_DIR)",
                cwd=work, env=env).split()
    assert all(str(installed.parent) in line for line in where), where
    assert not any(str(ROOT) in line for line in where), where

    assert "Migrations applied" in run(str(installed / "sijil"), "migrate", cwd=work, env=env)
    port = free_port()
    log = (work / "serve.log").open("w")
    server = subprocess.Popen([str(installed / "sijil"), "serve", "--no-worker", "--host",
                               "127.0.0.1", "--port", str(port)], cwd=work, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            try:
                page = httpx.get(f"{base}/verify", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, (work / "serve.log").read_text()
                assert time.monotonic() < deadline, (work / "serve.log").read_text()
                time.sleep(0.2)
        assert page.status_code == 200
        assert 'dir="rtl"' in page.text and "السجل العام" in page.text  # translated template
        stylesheet = re.search(r'href="(/static/css/sijil\.[0-9a-f]{8}\.css)"', page.text)
        assert stylesheet, page.text[:2000]
        css = httpx.get(base + stylesheet.group(1), timeout=5)
        assert css.status_code == 200
        assert css.content == (ROOT / "web" / "static" / "css" / "sijil.css").read_bytes()
        ready = httpx.get(f"{base}/readyz", timeout=5)
        assert ready.json() == {"status": "ready"}, ready.text
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    # Relative to the working directory, as an operator expects, not to site-packages.
    assert (work / "var" / "sijil.sqlite3").is_file()
    assert (work / "var" / "secret_key").is_file()
