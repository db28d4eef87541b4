"""English and Chinese: message catalogues, bilingual data columns and number formats.

UI strings are gettext messages: code marks them with ``_("...")`` (or ``N_`` where the
translation happens later), the English text is the message id, and the Chinese lives in
``marketintel/locale/zh/LC_MESSAGES/messages.po``. ``python -m marketintel i18n update``
re-extracts the messages (from the code and from ``config.yaml``'s display strings) and
merges them into the catalogue; the tests fail on any message without a translation.

Data text (market, segment and concept names, insights, rationales) is not in the
catalogue: the data files carry both languages and queries return ``*_en`` / ``*_zh``
columns, picked with :meth:`Text.pick` (a record) or ``display.text_column`` (a frame).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from .settings import MoneyFormat, settings

LANGUAGES: dict[str, str] = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
#: Where the Python sources with messages live, relative to the project root.
SOURCE_DIRS = ("app.py", "pages", "marketintel")
#: Sections of config.yaml whose string values are shown to users and so are messages.
CONFIG_MESSAGE_KEYS = (
    ("app", "title"),
    ("units",),
    ("provenance",),
    ("insight_topics",),
    ("overlap_note",),
    ("export", "deck_title"),
)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a string for the catalogue without translating it yet (translated where shown)."""
    return message


def localised(text: Any, fallback: Any) -> Any:
    """``text`` where it holds something, else ``fallback``: the one rule for Chinese-else-English."""
    return text if isinstance(text, str) and text.strip() else fallback


def normalise_language(value: Any) -> str:
    """A supported language code, or the default."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue for ``lang`` (compiled in memory from the .po, so no .mo can go stale)."""
    if lang == DEFAULT_LANGUAGE or not catalogue_path(lang).exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalogue_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Text:
    """Everything language-dependent for one language: ``_ = Text("zh")`` then ``_("Year")``."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE):
        self.lang = normalise_language(lang)
        self._t = translations(self.lang)
        self.money_format: MoneyFormat = settings().money_format[self.lang]

    def __call__(self, message: str, **values: Any) -> str:
        """The translation of ``message``, with ``{name}`` placeholders filled from ``values``."""
        text = self._t.gettext(message) if message else message
        return text.format(**values) if values else text

    def dynamic(self, message: str, **values: Any) -> str:
        """Translate a string known only at run time (a config.yaml display string).

        Same as calling the object, under a name the extractor does not scan, so config keys
        never become messages; ``config_messages`` puts those strings in the catalogue instead.
        """
        return self(message, **values)

    def plural(self, singular: str, plural: str, n: int, **values: Any) -> str:
        text = self._t.ngettext(singular, plural, n)
        return text.format(n=n, **values)

    def sentences(self, parts: list[str]) -> str:
        """Sentences joined and closed with this language's full stop."""
        stop = "。" if self.lang == "zh" else ". "
        return stop.join(p.rstrip("。.") for p in parts) + stop.strip()

    def join(self, items) -> str:
        """An enumeration: ``a, b`` / ``a、b``."""
        return ("、" if self.lang == "zh" else ", ").join(items)

    def join_clauses(self, items) -> str:
        """Clauses: ``a; b`` / ``a；b``."""
        return ("；" if self.lang == "zh" else "; ").join(items)

    # -- data columns ------------------------------------------------------------------

    def col(self, base: str) -> str:
        """The column holding ``base`` text in this language: ``name`` -> ``name_en`` / ``name_zh``."""
        return f"{base}_{self.lang}"

    def pick(self, record: Any, base: str) -> str:
        """``record``'s ``base`` text in this language (``base_zh``), else its English (``base_en`` or
        ``base``); works on rows, named tuples and dicts."""

        def get(key: str):
            try:
                return record[key]
            except (KeyError, IndexError, TypeError):
                return getattr(record, key, None)

        english = localised(get(f"{base}_en"), get(base))
        return localised(get(self.col(base)), english) or ""

    # -- numbers -----------------------------------------------------------------------

    @property
    def money_factor(self) -> float:
        """Multiply USD bn by this for the unit readers of this language expect (亿 = 0.1 bn)."""
        return float(self.money_format.factor)

    @property
    def money_unit(self) -> str:
        return self.money_format.unit

    def money(self, value_bn: float, decimals: int | None = None) -> str:
        """A market size for text: ``USD 6.59 bn`` / ``65.9亿美元``."""
        return self.money_format.pattern.format(value=self.money_number(value_bn, decimals))

    def money_number(self, value_bn: float, decimals: int | None = None) -> str:
        """The number alone, in this language's unit (for a place whose caption names the unit)."""
        d = self.money_format.decimals if decimals is None else decimals
        return f"{value_bn * self.money_factor:,.{d}f}"

    def money_hover(self, field: str = "y", decimals: int | None = None) -> str:
        """The same format as a Plotly hover/text template for an already-scaled ``field``."""
        d = self.money_format.decimals if decimals is None else decimals
        return self.money_format.pattern.format(value=f"%{{{field}:,.{d}f}}")

    @property
    def money_column_format(self) -> str:
        """printf format for a money column in an on-screen table (``%.2f`` USD bn, ``%.1f`` 亿美元)."""
        return f"%.{int(self.money_format.decimals)}f"


@lru_cache(maxsize=None)
def text(lang: str) -> Text:
    """The shared :class:`Text` for a language."""
    return Text(lang)


# -- extraction (curators' tooling and the tests) -----------------------------------------


def config_messages(cfg: dict | None = None) -> Iterator[tuple[str, str]]:
    """(config path, string) for every display string in config.yaml."""
    cfg = cfg or settings().model_dump()

    def walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
        if isinstance(value, dict):
            for k, v in value.items():
                yield from walk(v, f"{path}.{k}")
        elif isinstance(value, str) and value.strip():
            yield path, value  # unstripped: the code looks up exactly this string

    for keys in CONFIG_MESSAGE_KEYS:
        value: Any = cfg
        for k in keys:
            value = value.get(k) if isinstance(value, dict) else None
        yield from walk(value, ".".join(keys))


def extract_messages(root: Path):
    """A Babel catalogue template of every message in the code and config.yaml."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    catalog = Catalog(project="marketintel", charset="utf-8")
    files: list[Path] = []
    for entry in SOURCE_DIRS:
        p = root / entry
        files += [p] if p.is_file() else sorted(p.rglob("*.py"))
    keywords = {"_": None, "N_": None, "plural": (1, 2)}
    for path in files:
        for lineno, message, comments, _context in extract_from_file(
            "python", str(path), keywords=keywords, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
        ):
            catalog.add(message, locations=[(path.relative_to(root).as_posix(), lineno)], auto_comments=comments)
    for path, message in config_messages():
        catalog.add(message, locations=[("config.yaml", 0)], auto_comments=[path])
    return catalog


def update_catalogue(root: Path, lang: str = "zh") -> tuple[int, list[str]]:
    """Merge freshly extracted messages into ``lang``'s .po; returns (messages, untranslated ids)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    template = extract_messages(root)
    path = catalogue_path(lang)
    if path.exists():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
    else:
        catalog = Catalog(locale=lang, project="marketintel", charset="utf-8")
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=False, omit_header=False, include_previous=False)
    translations.cache_clear()
    text.cache_clear()
    ids = [_key(m.id) for m in catalog if m.id]
    done = {_key(m.id) for m in catalog if _translated(m)}
    return len(ids), [i for i in ids if i not in done]


def _key(message_id: Any) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _translated(message) -> bool:
    """A catalogue entry with a translation for every plural form, not marked fuzzy."""
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(message.id) and not message.fuzzy and all(strings)


def untranslated(root: Path, lang: str = "zh") -> list[str]:
    """Messages in the code or config.yaml with no (or only a fuzzy or empty) translation."""
    from babel.messages.pofile import read_po

    done: set[str] = set()
    if catalogue_path(lang).exists():
        with catalogue_path(lang).open("rb") as fh:
            done = {_key(m.id) for m in read_po(fh) if _translated(m)}
    return [_key(m.id) for m in extract_messages(root) if m.id and _key(m.id) not in done]
