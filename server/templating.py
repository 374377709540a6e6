"""The Jinja environments: one shared by emails (and anything else), with gettext for the
render's `lang`, and one per language for the pages, where a `_("…")` of a constant message
is translated once, when its template compiles, instead of on every render."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from typing import Any

from babel.support import Translations
from jinja2 import (
    Environment,
    FileSystemLoader,
    Template,
    meta,
    nodes,
    pass_context,
    select_autoescape,
)
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, _escape_inner, escape

from server.config import WEB_DIR
from server.i18n import LANGUAGES, isolate, ltr, translations

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


def _options() -> dict:
    return {"loader": FileSystemLoader(TEMPLATES_DIR), "extensions": ["jinja2.ext.i18n"],
            "trim_blocks": True, "lstrip_blocks": True}


@cache
def environment() -> Environment:
    return _configured(Environment(autoescape=select_autoescape(["html"]), **_options()))


def _configured(env: Environment) -> Environment:
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)
    env.filters["isolate"] = isolate
    env.filters["ltr"] = ltr
    env.globals["static"] = static_url
    env.globals["date_parts"] = date_parts
    return env


_new_str = str.__new__


def _escape(value: object) -> Markup:
    """markupsafe.escape, the same Markup, without Markup.__new__'s Python frame for the
    common cases: a page escapes ~60 values, and that frame was a fifth of its rendering."""
    if type(value) is str:
        return _new_str(Markup, _escape_inner(value))
    if type(value) is Markup:
        return value  # immutable: the copy escape() makes is equal to it
    return escape(value)


class _PageTemplate(Template):
    @classmethod
    def from_code(cls, environment: Environment, code: Any, globals: Any,
                  uptodate: Callable[[], bool] | None = None) -> Template:
        """Jinja's own, but the compiled module's `escape` (what every `{{ value }}` of an
        autoescaped template calls) is `_escape`."""
        namespace = {"environment": environment, "__file__": code.co_filename}
        exec(code, namespace)  # noqa: S102 - Jinja's compiled template, as Jinja does it
        namespace["escape"] = _escape
        template = cls._from_namespace(environment, namespace, globals)
        template._uptodate = uptodate
        return template

    def _get_default_module(self, ctx: Any = None) -> Any:
        """Jinja's own test (does the render bring globals this template lacks?) without
        `frozenset - ChainMap.keys()`, which checks each key through Python-level
        ChainMap.__contains__: 8 % of rendering the public entry."""
        if ctx is not None and ctx.globals_keys.difference(self.globals):
            return super()._get_default_module(ctx)
        return super()._get_default_module(None)


class CatalogueEnvironment(Environment):
    """The pages of one language. A page costs dozens of `_("…")` calls, each through Jinja's
    newstyle wrapper and the catalogue (most of the CPU of a small page, docs/performance.md
    "V"); here each call of a constant message becomes its translation in the compiled
    template, with the same result the call gives: the translation, marked safe where the
    template autoescapes, formatted with its keyword arguments (`%%` → `%`). A message that
    is not constant, or a template that rebinds `_`/`gettext` or changes autoescaping inside,
    keeps the call, which reads the same catalogue at render time.

    Then an import `with context` of a template that, so translated, reads nothing from the
    context (components/display.html) is made without context: the same macros, built once
    instead of on every render. Should that template change (development), the importers
    are compiled again."""

    template_class = _PageTemplate

    def __init__(self, lang: str, catalogue: Translations) -> None:
        super().__init__(autoescape=select_autoescape(["html"]), **_options())
        self.lang, self.catalogue = lang, catalogue
        # template → the up-to-date checks of what its context-free imports were read from
        self._imported: dict[str | None, list[Callable[[], bool]]] = {}
        self._reading: set[str] = set()

    def _load_template(self, name: str, globals: Any) -> Any:
        if self.auto_reload and not all(fresh() for fresh in self._imported.get(name, ())):
            self.cache.clear()
        return super()._load_template(name, globals)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Jinja's `obj.attribute`, the same answer (the attribute, else the item, else
        undefined) without raising an AttributeError for every `entry.fullNameAr` of a
        GraphQL payload, which is a dict: a page does ~100 of them."""
        found = getattr(obj, attribute, _NOTHING)
        if found is not _NOTHING:
            return found
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        rebound = any(node.name in _GETTEXT for node in tree.find_all(nodes.Name)
                      if node.ctx != "load")
        scoped = any(True for _ in tree.find_all((nodes.EvalContextModifier,)))
        if rebound or scoped:
            return tree
        autoescape = self.autoescape(name) if callable(self.autoescape) else self.autoescape
        tree = _TranslateConstants(self.catalogue, bool(autoescape)).visit(tree)
        tree.set_environment(self)
        checks = self._imported[name] = []
        for node in tree.find_all((nodes.Import, nodes.FromImport)):
            if node.with_context and isinstance(node.template, nodes.Const):
                fresh = self._needs_no_context(node.template.value)
                if fresh is not None:
                    node.with_context = False
                    checks.append(fresh)
        return tree

    def _needs_no_context(self, name: object) -> Callable[[], bool] | None:
        """The up-to-date check of template `name` if, translated, it reads no variable from
        the context (not even a global: `_` left for a message that is not constant counts);
        else None."""
        if not isinstance(name, str) or name in self._reading:
            return None
        source, filename, fresh = self.loader.get_source(self, name)
        self._reading.add(name)
        try:
            if meta.find_undeclared_variables(self._parse(source, name, filename)):
                return None
        finally:
            self._reading.discard(name)
        return fresh or (lambda: True)


_GETTEXT = ("_", "gettext")
_NOTHING = object()


class _TranslateConstants(NodeTransformer):
    def __init__(self, catalogue: Translations, autoescape: bool) -> None:
        self.catalogue, self.autoescape = catalogue, autoescape

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        self.generic_visit(node)
        if not (isinstance(node.node, nodes.Name) and node.node.name in _GETTEXT
                and len(node.args) == 1 and isinstance(node.args[0], nodes.Const)
                and isinstance(node.args[0].value, str)
                and node.dyn_args is None and node.dyn_kwargs is None):
            return node
        text = self.catalogue.gettext(node.args[0].value)
        lineno = node.lineno
        if not node.kwargs:
            try:
                # A translation is trusted markup, as Jinja's newstyle gettext treats it.
                done = (Markup(text) if self.autoescape else text) % {}  # noqa: S704
            except (TypeError, ValueError, KeyError):
                return node  # fails at render time, as it did
            return (nodes.MarkSafe(nodes.Const(str(done)), lineno=lineno) if self.autoescape
                    else nodes.Const(done, lineno=lineno))
        message = (nodes.MarkSafe(nodes.Const(text), lineno=lineno) if self.autoescape
                   else nodes.Const(text, lineno=lineno))
        values = nodes.Dict([nodes.Pair(nodes.Const(k.key), k.value, lineno=lineno)
                             for k in node.kwargs], lineno=lineno)
        return nodes.Mod(message, values, lineno=lineno)


_page_environments: dict[str, CatalogueEnvironment] = {}


def page_environment(lang: str, *, reload: bool = True) -> Environment:
    """The environment of a page in `lang`; rebuilt if that language's catalogue is
    reloaded (`translations.cache_clear()`), so a compiled page never shows an old one.
    `reload=False` (production, where the templates cannot change) spares the file checks of
    every template a page uses (7 for /verify/{number}) on every render."""
    if lang not in LANGUAGES:
        return environment()
    catalogue = translations(lang)
    env = _page_environments.get(lang)
    if env is None or env.catalogue is not catalogue:
        env = _page_environments[lang] = _configured(CatalogueEnvironment(lang, catalogue))
    env.auto_reload = reload
    return env


def render_page(name: str, data: dict, block: str | None = None, *,
                reload: bool = True) -> str:
    """A page (or one block of it) in its `lang`."""
    env = page_environment(data.get("lang", ""), reload=reload)
    if block is not None:
        return _render_block(env, name, block, data)
    return env.get_template(name).render(**data)


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
    return _render_block(environment(), name, block, data)


def _render_block(env: Environment, name: str, block: str, data: dict) -> str:
    template = env.get_template(name)
    context = template.new_context(data)
    for source, names, with_context in _top_level_imports(name):
        module = env.get_template(source).make_module(
            context.get_all() if with_context else None, shared=with_context)
        for original, alias in names:
            context.vars[alias] = getattr(module, original)
    return env.concat(template.blocks[block](context))
