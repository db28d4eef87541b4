"""The dashboard in Simplified Chinese (``?lang=zh``) in a real browser: no English UI message left, no tofu.

For each page opened with ``lang=zh`` at 1440x900 this collects what a reader sees (``document.body.innerText``,
the text of Plotly's SVG ``text`` elements, the ``title`` / ``aria-label`` / ``placeholder`` of visible
controls, with the sidebar's slide-deck expander and the first "Export this chart" popover opened) and checks:

* every English message of the catalogue (``i18n.extract_messages``) is gone: each literal fragment of a msgid
  (the text between ``{placeholders}`` and markup) that is significant (two or more words, or one word of six or
  more letters) must not appear verbatim; msgids whose Chinese equals the English are exempt, and so are the
  texts Streamlit and Plotly draw themselves (``FRAMEWORK_TEXTS``). The failure lists every leaked msgid per page;
* the page is mostly Chinese (at least ``MIN_CJK`` characters U+4E00-U+9FFF);
* no character is drawn as the missing glyph ("tofu"): every distinct non-ASCII character is drawn on a canvas
  in each font the page uses and compared, pixel by pixel and by advance width, with a character no font has.

Texts only shown on hover (``help=`` tooltips, Plotly hover labels) are not checked here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import ROOT, ConsoleLog, open_page, wait_for_app

LANG = "zh"
VIEWPORT = "1440x900"
ZH_PAGES = {
    "overview": "/?lang=zh",
    "explorer": "/explorer?lang=zh&market=telemedicine&region=asia_pacific",
    "compare": "/compare?lang=zh&markets=connected-healthcare,telemedicine",
    "data": "/data?lang=zh",
}
MIN_CJK = 50
CJK = re.compile(r"[\u4e00-\u9fff]")

#: Text Streamlit and Plotly put on the page themselves, which the app cannot translate. Removed from the
#: collected text before the English check: each entry is matched at the start of a line or attribute value
#: (entries ending in a space are prefixes, e.g. the multiselect chip's "Remove <option>" button label).
FRAMEWORK_TEXTS = (
    # st.file_uploader (the wording changed between Streamlit versions; both are listed)
    "Drag and drop files here",
    "Browse files",
    "Limit 200MB per file",
    "200MB per file",
    "Upload",
    "upload",
    "file upload",
    # page frame, sidebar, headings, expanders, material-icon ligatures
    "Skip to main content",
    "Sidebar",
    "Collapse sidebar",
    "Expand sidebar",
    "Link to heading",
    "keyboard_arrow_right",
    "keyboard_arrow_down",
    "expand_more",
    "expand_less",
    "Help for ",
    # selectbox / multiselect
    "Choose an option",
    "Selected values",
    "Clear all",
    "Open",
    "Close",
    "Remove ",
    "No results",
    # st.dataframe toolbar
    "Download as CSV",
    "Search",
    "Fullscreen",
    "Show/hide columns",
    # Plotly modebar
    "Download plot as a PNG",
    "Download plot",
    "Zoom in",
    "Zoom out",
    "Zoom",
    "Pan",
    "Autoscale",
    "Reset axes",
    "Produced with Plotly",
)
_FRAMEWORK_RE = re.compile(
    "^(?:"
    + "|".join(
        re.escape(t) if t.endswith(" ") else re.escape(t) + r"(?![A-Za-z])"
        for t in sorted(FRAMEWORK_TEXTS, key=len, reverse=True)
    )
    + ")"
)

#: Never drawn as the missing glyph by any font: U+10FFFD (plane-16 private use) is the reference "tofu";
#: U+0378 (unassigned) must render the same, which proves the reference really is .notdef.
TOFU_REFERENCE = "\U0010fffd"
UNASSIGNED = "\u0378"


# -- what the reader sees ------------------------------------------------------------------------

COLLECT_JS = r"""() => {
  const shown = el => {
    if (!el.getClientRects().length) return false;
    const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none' && Number(s.opacity) !== 0;
  };
  const chunks = [document.body.innerText];
  // Plotly's SVG text: one chunk per drawn line (multi-line titles are <tspan class="line">).
  for (const t of document.querySelectorAll('.js-plotly-plot svg text')) {
    if (!shown(t)) continue;
    const lines = t.querySelectorAll('tspan.line');
    if (lines.length) lines.forEach(l => chunks.push(l.textContent));
    else chunks.push(t.textContent);
  }
  for (const el of document.querySelectorAll('[title], [aria-label], [placeholder]')) {
    if (!shown(el)) continue;
    for (const a of ['title', 'aria-label', 'placeholder']) {
      const v = el.getAttribute(a);
      if (v && v.trim()) chunks.push(v);
    }
  }
  // The fonts the text is drawn in: body, headings, sidebar, widgets and every distinct Plotly text font.
  const fonts = new Set();
  const addFont = el => {
    if (!el) return;
    const s = getComputedStyle(el);
    fonts.add(`${s.fontWeight} ${s.fontFamily}`);
  };
  addFont(document.body);
  ['h1', '[data-testid="stSidebar"] p', '[data-testid="stMarkdownContainer"] p', 'label', 'button',
   '.js-plotly-plot .gtitle'].forEach(sel => addFont(document.querySelector(sel)));
  document.querySelectorAll('.js-plotly-plot svg text').forEach(addFont);
  return {chunks, fonts: [...fonts]};
}"""

# Draws each character in each font on a canvas and compares it with the missing-glyph rendering
# (pixels of the alpha channel and advance width). Loads web fonts for exactly these characters first,
# since unicode-range subsets load lazily.
TOFU_JS = r"""async ({chars, fonts, reference}) => {
  const W = 112, H = 72, SIZE = 40;
  const canvas = document.createElement('canvas');
  canvas.width = W; canvas.height = H;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const draw = (font, ch) => {
    ctx.clearRect(0, 0, W, H);
    ctx.font = font;
    ctx.fillStyle = '#000';
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(ch, 12, 52);
    const px = ctx.getImageData(0, 0, W, H).data;
    const alpha = new Uint8Array(W * H);
    let ink = 0;
    for (let i = 0; i < W * H; i++) { alpha[i] = px[4 * i + 3]; if (alpha[i]) ink++; }
    return {alpha, ink, width: ctx.measureText(ch).width};
  };
  const same = (a, b) => a.width === b.width && a.ink === b.ink && a.alpha.every((v, i) => v === b.alpha[i]);
  await document.fonts.ready;
  const out = {};
  for (const spec of fonts) {
    // spec is "<weight> <family list>"; canvas wants "<weight> <size>px <family list>".
    const cut = spec.indexOf(' ');
    const font = `${spec.slice(0, cut)} ${SIZE}px ${spec.slice(cut + 1)}`;
    try { await document.fonts.load(font, chars.join('') + reference); } catch (e) { /* no such web font */ }
    const ref = draw(font, reference);
    out[spec] = {tofu: chars.filter(c => same(draw(font, c), ref)), ref_ink: ref.ink, ref_width: ref.width};
  }
  return out;
}"""


def collect(page) -> tuple[str, list[str]]:
    """(visible text, one chunk per line or attribute; font specs "<weight> <family>") of the page."""
    got = page.evaluate(COLLECT_JS)
    lines = [line for chunk in got["chunks"] for line in chunk.splitlines()]
    return "\n".join(lines), got["fonts"]


def without_framework_texts(text: str) -> str:
    out = []
    for line in text.splitlines():
        line = line.strip()
        while (m := _FRAMEWORK_RE.match(line)) and m.end():
            line = line[m.end() :].lstrip()
        out.append(line)
    return "\n".join(out)


def tofu(page, chars: list[str], fonts: list[str]) -> dict[str, dict]:
    """Per font spec: the characters of ``chars`` drawn as the missing glyph."""
    return page.evaluate(TOFU_JS, {"chars": chars, "fonts": fonts, "reference": TOFU_REFERENCE})


def glyph_candidates(text: str) -> list[str]:
    """Distinct non-ASCII characters that should draw ink: not spaces, controls or format characters
    (private-use and unassigned code points stay in: they would be tofu)."""
    return sorted(
        {c for c in text if ord(c) > 0x7F and unicodedata.category(c) not in {"Zs", "Zl", "Zp", "Cc", "Cf", "Cs"}}
    )


# -- the English messages ------------------------------------------------------------------------

_SPLIT = re.compile(r"\{[^{}]*\}|<[^<>]*>|\n")  # str.format placeholders, HTML tags (<b>, <br>), line breaks
_MARKDOWN = re.compile(r"\*\*|__|`")  # emphasis markers Markdown removes
_EDGE = " \t\u00a0·•—–→;:,.!?\"'“”‘’"  # stripped from fragment ends (sentences() drops a final '.')


def significant(fragment: str) -> bool:
    """At least two words of letters, or one word of six or more letters (punctuation stripped)."""
    words = [w for w in re.sub(r"[^\w\s]", " ", fragment).split() if re.fullmatch(r"[A-Za-z]+", w)]
    return len(words) >= 2 or any(len(w) >= 6 for w in words)


def fragments(message: str) -> list[str]:
    """The literal pieces of a msgid a reader could see verbatim."""
    out = []
    for piece in _SPLIT.split(_MARKDOWN.sub("", message)):
        piece = re.sub(r"\s+", " ", piece).strip(_EDGE)
        if piece and significant(piece):
            out.append(piece)
    return out


def _ids(message_id) -> tuple[str, ...]:
    return message_id if isinstance(message_id, tuple) else (message_id,)


def same_in_chinese() -> set[str]:
    """msgids whose Chinese is the English itself ("PNG", "CAGR (%)"): not leaks when seen."""
    from babel.messages.pofile import read_po

    from marketintel import i18n

    path = i18n.catalogue_path(LANG)
    if not path.exists():
        return set()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=LANG)
    same = set()
    for m in catalog:
        if not m.id:
            continue
        ids, strings = _ids(m.id), _ids(m.string)
        if strings and all(s and s == ids[min(i, len(ids) - 1)] for i, s in enumerate(strings)):
            same.add(ids[0])
    return same


@dataclass
class Message:
    msgid: str  # the singular msgid (what translators look up)
    fragments: list[str] = field(default_factory=list)


def english_messages() -> list[Message]:
    from marketintel import i18n

    exempt = same_in_chinese()
    out = []
    for m in i18n.extract_messages(ROOT):
        if not m.id or _ids(m.id)[0] in exempt:
            continue
        frags = list(dict.fromkeys(f for form in _ids(m.id) for f in fragments(form)))
        if frags:
            out.append(Message(_ids(m.id)[0], frags))
    return out


def _pattern(fragment: str) -> re.Pattern:
    """``fragment`` as a whole word: not inside a longer word, nor part of a file name or identifier
    (``segments.csv``, ``source_figures``, ``data/markets``), which the Chinese text keeps as they are."""
    body = r"\s+".join(re.escape(w) for w in fragment.split(" "))
    left = r"(?<![A-Za-z0-9_./\\-])" if fragment[0].isalpha() else ""
    right = r"(?![A-Za-z0-9_/\\-]|\.[A-Za-z])" if fragment[-1].isalpha() else ""
    return re.compile(left + body + right)


def leaks(text: str, messages: list[Message]) -> list[tuple[str, str, str]]:
    """(msgid, fragment found, where) for every message with a fragment visible in ``text``.

    An occurrence inside a longer occurrence of another message is that message's text, not a leak of its own
    ("Compare" inside a leaked "Compare markets"); where several messages match the very same text, a message
    that is exactly that text wins ("Filters" over "Filters: {active}").
    """
    text = re.sub(r"[ \t\u00a0\u202f]+", " ", without_framework_texts(text))
    hits = []  # (start, end, msgid, fragment)
    for msg in messages:
        for frag in msg.fragments:
            hits += [(m.start(), m.end(), msg.msgid, frag) for m in _pattern(frag).finditer(text)]

    def whole(msgid: str, frag: str) -> bool:
        return re.sub(r"\s+", " ", _MARKDOWN.sub("", msgid)).strip(_EDGE) == frag

    def shadowed(h) -> bool:
        for o in hits:
            if o[2] == h[2] or not (o[0] <= h[0] and h[1] <= o[1]):
                continue
            if o[1] - o[0] > h[1] - h[0] or (o[:2] == h[:2] and whole(o[2], o[3]) and not whole(h[2], h[3])):
                return True
        return False

    found: dict[str, tuple[str, str, str]] = {}
    for h in sorted(hits):
        if h[2] not in found and not shadowed(h):
            where = text[max(0, h[0] - 25) : h[1] + 25].replace("\n", " ⏎ ")
            found[h[2]] = (h[2], h[3], where)
    order = {m.msgid: i for i, m in enumerate(messages)}
    return sorted(found.values(), key=lambda f: order[f[0]])


def _around(text: str, char: str, width: int = 12) -> str:
    i = text.find(char)
    return text[max(0, i - width) : i + width + 1].replace("\n", " ⏎ ")


# -- pages, each loaded once ---------------------------------------------------------------------


@dataclass
class Snapshot:
    name: str
    url: str
    text: str
    fonts: list[str]
    problems: list[str]  # console errors / failed requests (ConsoleLog)
    exceptions: list[str]  # Streamlit exception boxes
    tofu: dict[str, dict]
    selftest: dict[str, dict]  # the tofu check run on known characters, in the page's own fonts


def _open_hidden_text(page) -> None:
    """Open the sidebar's slide-deck expander and the first chart's export popover (frontend-only, no rerun)."""
    expander = page.locator('[data-testid="stSidebar"] [data-testid="stExpander"]').first
    if expander.count():
        expander.locator("summary").click()
        expander.locator('[data-testid="stExpanderDetails"]').wait_for(state="visible")
    popover = page.locator('[data-testid="stMain"] [data-testid="stPopoverButton"]').first
    if popover.count():
        popover.click()
        # The body shows before its buttons are drawn: wait for one, or its texts may be missed.
        page.get_by_role("button", name="Add to deck").or_(page.get_by_role("button", name="加入幻灯片")).filter(
            visible=True
        ).first.wait_for(state="visible")
        page.wait_for_timeout(300)  # the popover fades in; text is collected only from what is shown


@pytest.fixture(scope="module")
def zh_page(contexts, base_url):
    """Factory: the snapshot of a Chinese page, opened (once per module) in its own tab."""
    made: dict[str, Snapshot] = {}
    tabs = []

    def get(name: str) -> Snapshot:
        if name not in made:
            page = contexts(VIEWPORT).new_page()
            tabs.append(page)
            console = ConsoleLog(page)
            open_page(page, base_url + ZH_PAGES[name])
            _open_hidden_text(page)
            text, fonts = collect(page)
            chars = glyph_candidates(text)
            made[name] = Snapshot(
                name=name,
                url=page.url,
                text=text,
                fonts=fonts,
                problems=[],
                exceptions=page.locator('[data-testid="stException"]').all_inner_texts(),
                tofu=tofu(page, chars, fonts),
                selftest=tofu(page, ["\ue000", UNASSIGNED, "中", "文", "a"], fonts),
            )
            made[name].problems = console.problems()
        return made[name]

    yield get
    for page in tabs:
        page.close()


# -- 0. the checks themselves can fail -----------------------------------------------------------


def test_tofu_check_detects_a_missing_glyph_and_passes_real_ones(page):
    """On a bare page: a private-use and an unassigned character ARE tofu, '中' and 'a' are not."""
    page.set_content('<html><body style="font-family: sans-serif"><p>中 a \ue000</p></body></html>')
    fonts = [
        "400 sans-serif",
        '400 "Source Sans", sans-serif',
        '700 Inter, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", Arial, sans-serif',
    ]
    result = tofu(page, ["\ue000", UNASSIGNED, "中", "语", "a", "é"], fonts)
    for font, r in result.items():
        assert r["ref_width"] > 0, (font, r)
        assert sorted(r["tofu"]) == sorted(["\ue000", UNASSIGNED]), f"{font}: {r}"
    # And the candidates: spaces and format characters are skipped, private use is kept.
    assert glyph_candidates("a中\u00a0\u200b\ue000·") == sorted(["中", "\ue000", "·"])


def test_leak_check_finds_english_messages_on_the_english_overview(new_page, base_url):
    """The same collection and matching on the English Overview reports its English messages (in the HTML
    text, in Plotly's SVG titles and axis titles, and in the opened popover)."""
    page, console = new_page(VIEWPORT)
    open_page(page, base_url + "/")
    _open_hidden_text(page)
    text, _fonts = collect(page)
    found = {msgid for msgid, _frag, _where in leaks(text, english_messages())}
    expected = {
        "Healthcare Technology Market Intelligence",
        "Export this chart",
        "Size vs growth",
        "Market size, base year ({unit}, log scale)",
        "Add to deck",
        "Use “Add to deck” under any chart. The deck downloads as PowerPoint with editable charts.",
    }
    assert expected <= found, f"not detected: {sorted(expected - found)}"
    console.assert_clean()


def test_fragments_and_matching():
    assert fragments("Source: market report {codes}") == ["Source: market report"]
    assert fragments("{dimension}: {n} selected") == ["selected"]
    assert fragments("{market} by {dimension}") == []  # "by": too short to tell
    assert fragments("CAGR {start}–{end}") == []
    assert fragments("**Share table** · estimates · {first}→{last}") == ["Share table · estimates"]
    assert fragments("<b>Growth</b> compared<br>by {dim}") == ["Growth", "compared"]
    msgs = [Message("Segment", ["Segment"]), Message("Remove", ["Remove"])]
    assert leaks("细分 Segments\nRemove 亚太地区", msgs) == []  # a longer word; Streamlit's label
    assert leaks("segments.csv（136 行）\nsource_figures.csv", [Message("x", ["segments", "source"])]) == []
    assert [m for m, _f, _w in leaks("图表 Segment 细分", msgs)] == ["Segment"]
    # Shorter messages inside a leaked longer one are not reported again; an exact message wins a tie.
    msgs = [
        Message("Compare", ["Compare"]),
        Message("Compare markets", ["Compare markets"]),
        Message("Filters: {active}", ["Filters"]),
        Message("Filters", ["Filters"]),
    ]
    assert [m for m, _f, _w in leaks("Compare markets\nFilters", msgs)] == ["Compare markets", "Filters"]
    assert [m for m, _f, _w in leaks("Compare markets\nCompare", msgs)] == ["Compare", "Compare markets"]


# -- 1.-4. every page in Chinese -----------------------------------------------------------------


@pytest.mark.parametrize("name", list(ZH_PAGES))
def test_chinese_page_renders_without_errors(zh_page, name):
    snap = zh_page(name)
    assert not snap.exceptions, f"{name}: Streamlit exception:\n" + "\n---\n".join(snap.exceptions)
    assert not snap.problems, f"{name}: unexpected browser errors/requests:\n  " + "\n  ".join(snap.problems)
    assert parse_qs(urlsplit(snap.url).query).get("lang") == [LANG], snap.url


@pytest.mark.parametrize("name", list(ZH_PAGES))
def test_chinese_page_draws_no_missing_glyph(zh_page, name):
    snap = zh_page(name)
    for font, r in snap.selftest.items():
        assert sorted(r["tofu"]) == sorted(["\ue000", UNASSIGNED]), (
            f"{name}: the tofu check does not work in font {font!r} (reference U+10FFFD is not .notdef?): {r}"
        )
    bad = {font: r["tofu"] for font, r in snap.tofu.items() if r["tofu"]}
    assert not bad, f"{name}: characters drawn as the missing glyph (tofu):\n" + "\n".join(
        f"  {font}: "
        + " ".join(
            f"{c!r} U+{ord(c):04X} {unicodedata.name(c, unicodedata.category(c))} (in …{_around(snap.text, c)}…)"
            for c in chars
        )
        for font, chars in bad.items()
    )


def test_language_switch_in_the_sidebar_keeps_chinese_across_pages(new_page, base_url):
    from marketintel import i18n
    from marketintel.settings import settings as load_settings

    page, console = new_page(VIEWPORT)
    open_page(page, base_url + "/")
    sidebar = page.locator('[data-testid="stSidebar"]')
    h1 = page.locator('[data-testid="stMain"] h1').first
    english_title = load_settings().app.title
    assert h1.inner_text().strip() == english_title

    switch = sidebar.locator('[data-testid="stButtonGroup"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text="Language · 语言")
    )
    assert switch.count() == 1, "no 'Language · 语言' segmented control in the sidebar"
    assert switch.get_by_role("radio", name="English", exact=True).get_attribute("aria-checked") == "true"
    switch.get_by_role("radio", name="简体中文", exact=True).click()
    wait_for_app(page, expect_rerun=True)
    page.wait_for_function("() => new URLSearchParams(location.search).get('lang') === 'zh'", timeout=10_000)

    assert parse_qs(urlsplit(page.url).query).get("lang") == [LANG], page.url
    title = h1.inner_text().strip()
    assert title != english_title and len(CJK.findall(title)) >= 2, f"title not in Chinese after the switch: {title!r}"
    assert switch.get_by_role("radio", name="简体中文", exact=True).get_attribute("aria-checked") == "true"

    # The menu link to the explorer (its label is whatever the catalogue says, English while untranslated).
    sidebar.locator('[data-testid="stPageLink"]').filter(
        has_text=re.compile("^" + re.escape(i18n.text(LANG)("Market explorer")) + "$")
    ).click()
    page.wait_for_url("**/explorer**")
    wait_for_app(page, expect_rerun=True)
    assert parse_qs(urlsplit(page.url).query).get("lang") == [LANG], f"lang lost on navigation: {page.url}"
    explorer_h1 = page.locator('[data-testid="stMain"] h1').first.inner_text()
    assert len(CJK.findall(explorer_h1)) >= 2, f"explorer title not in Chinese: {explorer_h1!r}"
    assert len(CJK.findall(page.locator('[data-testid="stMain"]').inner_text())) >= MIN_CJK
    assert switch.get_by_role("radio", name="简体中文", exact=True).get_attribute("aria-checked") == "true"
    assert page.locator('[data-testid="stException"]').count() == 0
    console.assert_clean()


def test_no_english_ui_message_on_any_chinese_page(zh_page):
    """Last, since it is the one expected to fail while the catalogue is being filled: one report for all pages."""
    messages = english_messages()
    assert len(messages) > 50, "too few English messages extracted: is i18n.extract_messages broken?"
    report = []
    for name in ZH_PAGES:
        snap = zh_page(name)
        cjk = len(CJK.findall(snap.text))
        found = leaks(snap.text, messages)
        if cjk < MIN_CJK:
            report.append(f"[{name}] only {cjk} CJK characters (want >= {MIN_CJK})")
        if found:
            report.append(f"[{name}] {len(found)} English UI message(s) visible ({ZH_PAGES[name]}):")
            report += [f"    {msgid!r}\n        seen: {frag!r} in …{where}…" for msgid, frag, where in found]
    assert not report, (
        "English left on the Chinese pages (translate these msgids in "
        "marketintel/locale/zh/LC_MESSAGES/messages.po):\n" + "\n".join(report)
    )
