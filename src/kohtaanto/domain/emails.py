"""E-mails composed from Jinja templates, in the recipient's language, as plain text and HTML.

Each e-mail is a pair ``templates/mail/<name>.txt`` and ``<name>.html`` (the HTML one
escapes what it is given; the text one does not need to), both extending ``base``:
the greeting, the sign-off and the footer. The texts are English msgids translated
through the catalogs of ``kohtaanto.i18n`` (``pybabel extract`` reads these templates,
``babel.cfg``). The subject is made by the caller (a translated msgid) and cleaned
for the header here. Sending is ``kohtaanto.mail``'s.
"""

from __future__ import annotations

import functools
import re
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from kohtaanto.i18n import DEFAULT_LANGUAGE, LANGUAGES, translations

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "mail"


def language(value: str | None) -> str:
    """A language we write e-mails in (Finnish when unknown)."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE  # type: ignore[return-value]


@functools.cache
def _environment(lang: str, html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=html,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(template: str, lang: str, **context: Any) -> tuple[str, str]:
    """The text and the HTML of e-mail ``template`` in ``lang``."""
    lang = language(lang)
    context = {"lang": lang, **context}
    text = _environment(lang, False).get_template(f"{template}.txt").render(context)
    html = _environment(lang, True).get_template(f"{template}.html").render(context)
    # Blank lines left by template tags: at most one in a row.
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", html


# Line breaks and other control characters (and Unicode's line and paragraph
# separators) would end a header or start a new one: a vacancy title is typed by an
# employer, so it is cleaned before it goes into the Subject.
_HEADER_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_value(value: str, limit: int = 200) -> str:
    """``value`` safe for an e-mail header: control characters become one space."""
    cleaned = " ".join(_HEADER_BREAKING.sub(" ", value).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def message(
    *, mail_from: str, to: str, subject: str, lang: str, template: str, **context: Any
) -> EmailMessage:
    """A multipart (text and HTML) e-mail from ``template`` in ``lang``; ``name`` in the
    context is the recipient's, for the greeting."""
    context.setdefault("name", None)
    text, html = render(template, lang, subject=subject, **context)
    out = EmailMessage()
    out["From"] = header_value(mail_from)
    out["To"] = header_value(to)
    out["Subject"] = header_value(subject)
    out["Date"] = formatdate(localtime=True)
    out["Auto-Submitted"] = "auto-generated"
    out.set_content(text)
    out.add_alternative(html, subtype="html")
    # After the parts: setting content drops the Content-* headers there were.
    out["Content-Language"] = language(lang)
    return out
