"""docs/api.md's examples, run as written: every ```bash and ```python block, against the
app served by uvicorn on a free 127.0.0.1 port, must exit 0 and print what its `expect:`
comment says. A guide whose examples stopped working fails here."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from server.config import ROOT
from server.domain import otp
from server.resolvers.accounts.staff import create_staff
from tests.register.helpers import registered

GUIDE = ROOT / "docs" / "api.md"
BLOCK = re.compile(r"<!-- expect: (?P<expect>.+?) -->\n```(?P<lang>bash|python)\n"
                   r"(?P<code>.*?)\n```", re.S)
PASSWORD = "quiet meadow lantern 9"


def examples() -> list[re.Match]:
    text = GUIDE.read_text()
    found = list(BLOCK.finditer(text))
    # Every runnable block is announced with what it should print, or names the test that
    # runs it: none slips by untested.
    tested_elsewhere = text.count("<!-- tested by: ")
    assert len(found) + tested_elsewhere == text.count("```bash") + text.count("```python")
    return found


async def run(lang: str, code: str, env: dict, tmp: Path) -> tuple[int, str]:
    # In a subprocess of this event loop: the app under test is served by the same loop.
    script = tmp / ("example.sh" if lang == "bash" else "example.py")
    script.write_text(code)
    command = ["bash", "-euo", "pipefail", str(script)] if lang == "bash" else [
        sys.executable, str(script)]
    process = await asyncio.create_subprocess_exec(
        *command, env={**os.environ, **env}, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, out.decode()


async def signed_in_env() -> dict:
    """A fresh staff account for each example that signs in: a TOTP code is good once."""
    email = f"guide-{uuid.uuid4().hex[:8]}@sijil.example"
    _, uri = await create_staff(email, "reviewer", PASSWORD)
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    code = otp.hotp(secret, otp.totp_step(time.time()))
    return {"SIJIL_EMAIL": email, "SIJIL_PASSWORD": PASSWORD, "SIJIL_CODE": code}


async def test_every_example_of_the_api_guide_runs_against_the_app(live, tmp_path):
    await registered(number="25-R-0004321", father_ar="عبد الله", father_en="Abdullah")
    await registered("يوسف", "الحربي", "Yousef", "Al-Harbi", number="25-R-0000100")
    blocks = examples()
    assert {b["lang"] for b in blocks} == {"bash", "python"}
    for block in blocks:
        env = {"SIJIL_URL": live.url}
        if "SIJIL_CODE" in block["code"]:
            env |= await signed_in_env()
        status, output = await run(block["lang"], block["code"], env, tmp_path)
        assert status == 0, f"{block['code'][:200]}\n---\n{output}"
        for expected in block["expect"].split(" "):
            assert expected in output, f"{block['code'][:200]}\n---\n{output}"
