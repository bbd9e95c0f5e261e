"""The model's reasons for a match, said in the reader's language.

``ml.predict`` writes each ranking factor as data: ``feature``, ``text`` (an English
msgid marked with ``N_``), ``params`` (numbers and codes), ``direction``, ``weight``,
and ``label`` (the same in English, for API clients). Pages and e-mails say it here:
the msgid through the reader's catalog, numbers in their format, codes (education,
languages) by their translated names when the caller can name them.

Explanations stored before the factors carried ``text`` are rebuilt from their
numbers, or shown through the catalog as the fixed English sentence they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from babel.numbers import format_decimal

from kohtaanto.i18n import translations

# (group, code) -> the code's name in the reader's language, e.g. ("education", "basic").
Namer = Callable[[str, str], str]


def _number(value: float | int, lang: str) -> str:
    return str(format_decimal(value, format="#,##0.#", locale=lang))


def _shown(params: Mapping[str, Any], lang: str, name: Namer | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in params.items():
        if key == "education" and name is not None:
            out[key] = name("education", str(value))
        elif key == "languages" and isinstance(value, list):
            out[key] = ", ".join(name("language", str(v)) if name else str(v) for v in value)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            out[key] = str(value).replace("_", " ")
        else:
            out[key] = _number(value, lang)
    return out


def factor_text(
    factor: Mapping[str, Any],
    why: Mapping[str, Any],
    lang: str,
    name: Namer | None = None,
) -> str:
    """One ranking factor of explanation ``why`` as a sentence in ``lang``."""
    catalog = translations(lang)
    text = factor.get("text")
    if text:
        return str(catalog.gettext(str(text))) % _shown(factor.get("params") or {}, lang, name)
    return _legacy(factor, why, lang, name)


def _legacy(
    factor: Mapping[str, Any], why: Mapping[str, Any], lang: str, name: Namer | None
) -> str:
    """A factor stored before factors carried their msgid: rebuilt from the numbers."""
    gettext = translations(lang).gettext
    feature = factor.get("feature")
    if feature == "essential_coverage":
        n = len(why.get("matched_essential", []))
        total = n + len(why.get("missing_essential", []))
        return str(gettext("Has %(n)s of %(total)s essential skills")) % {"n": n, "total": total}
    if feature == "optional_coverage":
        n, total = why.get("matched_optional", 0), why.get("optional_total", 0)
        return str(gettext("Has %(n)s of %(total)s optional skills")) % {"n": n, "total": total}
    if feature in ("distance_ratio", "within_travel_limit") and "distance_km" in why:
        text = (
            gettext("Lives %(km)s km away, within their %(limit)s km travel limit")
            if why.get("within_travel_limit")
            else gettext("Lives %(km)s km away, beyond their %(limit)s km travel limit")
        )
        return str(text) % {
            "km": f"{why['distance_km']:.0f}",
            "limit": f"{why.get('travel_limit_km', 0):.0f}",
        }
    if feature == "language_fit":
        missing = why.get("languages_missing") or []
        if not missing:
            return str(gettext("Speaks the required languages"))
        shown = _shown({"languages": list(missing)}, lang, name)
        return str(gettext("Missing language: %(languages)s")) % shown
    # Fixed sentences are msgids themselves; anything else stays as the model wrote it.
    return str(gettext(str(factor.get("label", feature))))


def reasons(
    why: Mapping[str, Any], lang: str, name: Namer | None = None, limit: int = 3
) -> list[tuple[str, str]]:
    """The first ``limit`` factors of an explanation: (direction, sentence)."""
    return [
        (str(f.get("direction", "+")), factor_text(f, why, lang, name))
        for f in (why.get("top_factors") or [])[:limit]
    ]
