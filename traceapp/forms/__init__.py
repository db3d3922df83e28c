"""Flask-WTF forms for the console: they check shapes and types at the boundary;
the rules themselves live in traceapp.domain.

Every form derives from :class:`Form`, whose messages (WTForms' own validator and
conversion messages included) come from the project's catalogues, so a refusal is
shown in the reader's language: WTForms ships no Vietnamese catalogue.
"""

from __future__ import annotations

from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm


class _CatalogueTranslations:
    """WTForms' translations interface, answered by the project's catalogues."""

    # WTForms fills in the values itself, so the catalogue's text is returned as is.
    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


_TRANSLATIONS = _CatalogueTranslations()


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):  # noqa: ANN001  (WTForms' signature)
            return _TRANSLATIONS


# WTForms' and Flask-WTF's own messages that these forms can show, listed so that
# `pybabel extract` puts them in the catalogues.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Invalid email address."),
    _l("The CSRF token is missing."),
    _l("The CSRF token is invalid."),
    _l("The CSRF token has expired."),
    _l("The CSRF session token is missing."),
    _l("The CSRF tokens do not match."),
)
