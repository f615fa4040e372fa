"""The English catalogue is complete, compiled and keeps every placeholder.

Chinese is the source language, so locale/zh_Hans may leave msgstr empty; English must not.
The .po files are parsed by a small reader below (no polib dependency)."""

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = EN_PO.with_suffix(".mo")

# %(name)s, %(n)d, %(mb).1f …, and a bare %s / %d; "%%" is a literal percent sign.
PY_FORMAT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([sdifeEgGxXorc])")
# {{ var }} left as is in a string (blocktranslate turns its variables into %(var)s).
BRACES = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def forms(self) -> list[str]:
        return [self.msgstr[k] for k in sorted(self.msgstr)]


def _unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file (the header and obsolete `#~` entries left out)."""
    entries: list[Entry] = []
    entry, key = None, None

    def finish():
        if entry is not None and entry.msgid:
            entries.append(entry)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if key is not None and key.startswith("msgstr"):  # a comment starts the next entry
                finish()
                entry, key = None, None
            if line.startswith("#,"):
                entry = entry or Entry(line=number)
                entry.flags.update(f.strip() for f in line[2:].split(","))
            continue
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line)
        if match:
            keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            if keyword in ("msgctxt", "msgid") and key is not None and key.startswith("msgstr"):
                finish()
                entry = None
            entry = entry or Entry(line=number)
            key = keyword if index is None else f"msgstr[{index}]"
            if keyword == "msgctxt":
                entry.msgctxt = value
            elif keyword == "msgid":
                entry.msgid, entry.line = value, number
            elif keyword == "msgid_plural":
                entry.msgid_plural = value
            else:
                entry.msgstr[int(index or 0)] = value
        elif line.startswith('"') and entry is not None and key is not None:
            value = _unquote(line)
            if key == "msgctxt":
                entry.msgctxt += value
            elif key == "msgid":
                entry.msgid += value
            elif key == "msgid_plural":
                entry.msgid_plural += value
            else:
                index = int(key[7:-1]) if key.startswith("msgstr[") else 0
                entry.msgstr[index] += value
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return entries


def placeholders(text: str) -> set[str]:
    text = text.replace("%%", "")
    found = {f"%({name})" if name else f"%{conv}" for name, conv in PY_FORMAT.findall(text)}
    return found | {"{{" + name + "}}" for name in BRACES.findall(text)}


@pytest.fixture(scope="module")
def english():
    assert EN_PO.exists(), f"{EN_PO} is missing: run makemessages -l en"
    entries = parse_po(EN_PO)
    assert len(entries) > 100, "the English catalogue looks truncated"
    return entries


def test_the_reader_understands_the_po_format(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, python-format\nmsgid "共 %(n)s 个"\nmsgid_plural "共 %(n)s 个"\n'
        'msgstr[0] "%(n)s item"\nmsgstr[1] "%(n)s items"\n\n'
        '#, fuzzy\nmsgid ""\n"长的"\n"句子"\nmsgstr "A \\"long\\" "\n"sentence"\n\n'
        '#~ msgid "旧的"\n#~ msgstr "Old"\n',
        encoding="utf-8",
    )
    plural, long = parse_po(po)
    assert plural.msgid_plural == "共 %(n)s 个" and plural.forms == ["%(n)s item", "%(n)s items"]
    assert long.msgid == "长的句子" and long.forms == ['A "long" sentence']
    assert "fuzzy" in long.flags and "fuzzy" not in plural.flags
    assert placeholders("%(mb).1f MB, %(row)d, {{ n }}, 100%%") == {"%(mb)", "%(row)", "{{n}}"}


def test_every_english_message_is_translated_and_not_fuzzy(english):
    problems = []
    for e in english:
        if "fuzzy" in e.flags:
            problems.append(f"line {e.line}: fuzzy: {e.msgid!r}")
        expected = 2 if e.msgid_plural is not None else 1
        if len(e.forms) < expected or not all(s.strip() for s in e.forms):
            problems.append(f"line {e.line}: untranslated: {e.msgid!r}")
    assert not problems, "\n".join(problems)


def test_the_english_catalogue_is_not_fuzzy_at_the_top():
    header = EN_PO.read_text(encoding="utf-8").split('msgid ""', 1)[0]
    assert "#, fuzzy" not in header
    assert '"Language: en\\n"' in EN_PO.read_text(encoding="utf-8")


def test_placeholders_survive_translation(english):
    problems = []
    for e in english:
        sources = [e.msgid] + ([e.msgid_plural] if e.msgid_plural is not None else [])
        wanted = set().union(*(placeholders(s) for s in sources))
        for form in e.forms:
            if placeholders(form) != wanted:
                problems.append(
                    f"line {e.line}: {e.msgid!r} has {sorted(wanted)}, "
                    f"{form!r} has {sorted(placeholders(form))}"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
def test_compiled_catalogue_exists(lang):
    mo = LOCALE / lang / "LC_MESSAGES" / "django.mo"
    assert mo.exists(), f"{mo} is missing: run `make messages` (compilemessages)"


def test_compiled_english_matches_the_po(english):
    """A .mo older than its .po fails here: recompile with `make messages`."""
    with EN_MO.open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    stale = []
    for e in english:
        prefix = f"{e.msgctxt}\x04" if e.msgctxt is not None else ""
        if e.msgid_plural is None:
            got = catalogue._catalog.get(prefix + e.msgid)
            if got != e.forms[0]:
                stale.append(f"{e.msgid!r}: .mo has {got!r}, .po has {e.forms[0]!r}")
        else:
            for index, form in enumerate(e.forms):
                got = catalogue._catalog.get((prefix + e.msgid, index))
                if got != form:
                    stale.append(f"{e.msgid!r}[{index}]: .mo has {got!r}, .po has {form!r}")
    ids = {(f"{e.msgctxt}\x04" if e.msgctxt is not None else "") + e.msgid for e in english}
    extra = sorted(
        k
        for k in catalogue._catalog
        if (k[0] if isinstance(k, tuple) else k) not in ids and k != ""
    )
    assert not stale and not extra, "the .mo is stale; run `make messages`\n" + "\n".join(
        stale + [f"only in .mo: {k!r}" for k in extra]
    )


def test_english_plural_forms_follow_the_header(english):
    with EN_MO.open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    plurals = [e for e in english if e.msgid_plural is not None]
    assert plurals, "expected some plural messages (blocktranslate count …)"
    for e in plurals:
        assert catalogue.ngettext(e.msgid, e.msgid_plural, 1) == e.forms[0]
        assert catalogue.ngettext(e.msgid, e.msgid_plural, 5) == e.forms[1]


def test_django_translates_with_the_project_catalogue():
    from django.utils import translation

    groups, aggregation = "教育集团", "聚合型"
    with translation.override("en"):
        assert translation.gettext(groups) == "Education groups"
        assert translation.gettext(aggregation) == "Aggregation"
    with translation.override("zh-hans"):
        assert translation.gettext(groups) == "教育集团"
        # Django's own Chinese still comes through alongside the project's catalogue (and
        # DRF's, issue 11, which words the shared "This field is required." as 该字段是必填项).
        whole = "Enter a whole number."  # a variable, so makemessages leaves it alone
        assert translation.gettext(whole) == "输入整数。"
        required = "This field is required."
        assert translation.gettext(required) in ("这个字段是必填项。", "该字段是必填项。")
