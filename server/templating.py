"""The Jinja environment shared by pages and emails, with gettext for the render's `lang`."""

from __future__ import annotations

import hashlib
from functools import cache

from jinja2 import Environment, FileSystemLoader, nodes, pass_context, select_autoescape

from server.config import WEB_DIR
from server.i18n import isolate, ltr, translations

TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"


@pass_context
def _gettext(ctx, message: str, **values) -> str:
    text = translations(ctx.get("lang", "ar")).gettext(message)
    return text % values if values else text


@pass_context
def _ngettext(ctx, singular: str, plural: str, n: int, **values) -> str:
    text = translations(ctx.get("lang", "ar")).ngettext(singular, plural, n)
    return text % {"num": n, **values}


@cache
def static_manifest() -> dict[str, str]:
    """Each static file's path → its content-hashed path (`js/app.js` → `js/app.0c1d2e3f.js`),
    computed once per process: a changed file gets a new URL, so any cache may keep one."""
    found = {}
    for file in sorted(STATIC_DIR.rglob("*")):
        if file.is_file():
            path = file.relative_to(STATIC_DIR).as_posix()
            digest = hashlib.sha256(file.read_bytes()).hexdigest()[:8]
            stem, dot, suffix = path.rpartition(".")
            found[path] = f"{stem}.{digest}.{suffix}" if dot else f"{path}.{digest}"
    return found


@cache
def static_originals() -> dict[str, str]:
    return {hashed: path for path, hashed in static_manifest().items()}


def static_url(path: str) -> str:
    """The hashed URL of a file under web/static; a KeyError names a file that is not there,
    so a mistyped name fails the render instead of shipping a broken link."""
    return f"/static/{static_manifest()[path]}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)
    env.filters["isolate"] = isolate
    env.filters["ltr"] = ltr
    env.globals["static"] = static_url
    env.globals["date_parts"] = date_parts
    return env


def date_parts(values: dict | None, name: str) -> dict:
    """What was typed into a day / month / year field, to show it again after an error."""
    values = values or {}
    return {part: values.get(f"{name}-{part}", "") for part in ("day", "month", "year")}


@cache
def _top_level_imports(name: str) -> tuple[tuple[str, tuple[tuple[str, str], ...], bool], ...]:
    """The `{% from "x" import a, b as c %}` statements at a template's top level."""
    env = environment()
    source = env.loader.get_source(env, name)[0]
    found = []
    for node in env.parse(source).body:
        if isinstance(node, nodes.FromImport) and isinstance(node.template, nodes.Const):
            names = tuple((n, n) if isinstance(n, str) else (n[0], n[1]) for n in node.names)
            found.append((node.template.value, names, node.with_context))
    return tuple(found)


def render_block(name: str, block: str, /, **data) -> str:
    """One block of a page: the fragment htmx swaps in. Unlike a bare block call, the
    template's top-level macro imports are run first, so the block can use the components."""
    env = environment()
    template = env.get_template(name)
    context = template.new_context(data)
    for source, names, with_context in _top_level_imports(name):
        module = env.get_template(source).make_module(
            context.get_all() if with_context else None, shared=with_context)
        for original, alias in names:
            context.vars[alias] = getattr(module, original)
    return env.concat(template.blocks[block](context))
