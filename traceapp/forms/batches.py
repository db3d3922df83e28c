"""Batches, their certifications, recall, label requests, sheets and voiding."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from labels import DEFAULT_PRESET, PRESETS
from labels.options import MAX_OFFSET_MM
from traceapp.domain.issuance import MAX_LABELS_PER_REQUEST
from traceapp.domain.label_wording import DEFAULT_LABEL_LANGUAGE
from traceapp.forms import Form
from traceapp.models import CertificationScheme, PrintJobKind
from traceapp.web.vocabulary import choices


class BatchForm(Form):
    product_id = SelectField(_l("Product"), coerce=int)
    lot_code = StringField(_l("Lot code"), validators=[DataRequired(), Length(max=20)])
    quantity = IntegerField(_l("Quantity (items)"), validators=[DataRequired(), NumberRange(min=1)])
    unit = StringField(_l("Unit"), validators=[DataRequired(), Length(max=20)])
    produced_on = DateField(_l("Produced on"), validators=[DataRequired()])
    best_before = DateField(_l("Best before"), validators=[Optional()])
    origin_farm = StringField(_l("Farm"), validators=[Optional(), Length(max=200)])
    origin_commune = StringField(_l("Commune"), validators=[DataRequired(), Length(max=100)])
    origin_province = StringField(_l("Province"), validators=[DataRequired(), Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class CertificationForm(Form):
    scheme = SelectField(_l("Scheme"), choices=choices("scheme", CertificationScheme))
    ocop_stars = IntegerField(
        _l("OCOP stars (OCOP only)"), validators=[Optional(), NumberRange(min=3, max=5)]
    )
    certificate_number = StringField(
        _l("Certificate number"), validators=[DataRequired(), Length(max=60)]
    )
    issuing_body = StringField(_l("Issued by"), validators=[DataRequired(), Length(max=200)])
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    valid_to = DateField(_l("Valid to"), validators=[DataRequired()])
    claim = TextAreaField(_l("Claim"), validators=[Optional(), Length(max=2000)])
    evidence_ref = StringField(
        _l("Evidence (reference or file name)"), validators=[Optional(), Length(max=300)]
    )


class RecallForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


# The languages a label is printed in, as the issuance and print forms offer them.
LABEL_LANGUAGE_CHOICES = [
    SelectChoice("vi", _l("Vietnamese")),
    SelectChoice("en", _l("English (export)")),
    SelectChoice("fr", _l("French (export)")),
]


class IssuanceForm(Form):
    count = IntegerField(
        _l("Number of labels"),
        validators=[DataRequired(), NumberRange(min=1, max=MAX_LABELS_PER_REQUEST)],
    )
    # The run's language: its print jobs and downloads use it unless they ask otherwise.
    label_language = SelectField(
        _l("Label language"), default=DEFAULT_LABEL_LANGUAGE, choices=LABEL_LANGUAGE_CHOICES
    )


class SheetForm(Form):
    """Chooses the label stock and where printing starts; read from the query string."""

    class Meta:
        csrf = False  # a GET download changes nothing

    preset = SelectField(
        _l("Label stock"),
        default=DEFAULT_PRESET,
        choices=[
            SelectChoice(
                name,
                _l("%(stock)s (%(num)s per sheet)", stock=name, num=layout.labels_per_sheet),
            )
            for name, layout in PRESETS.items()
        ],
    )
    start_position = IntegerField(
        _l("Start at position"),
        default=1,
        validators=[DataRequired(), NumberRange(min=1, max=200)],
        description=_l("To reuse a partly used sheet: 1 is the top-left label."),
    )


class PrintForm(Form):
    """Asks for a print job: format, label stock, start position, calibration, language."""

    kind = SelectField(
        _l("Format"),
        default=PrintJobKind.SHEET,
        choices=[
            SelectChoice(PrintJobKind.SHEET, _l("Label sheets (PDF, office printer)")),
            SelectChoice(PrintJobKind.ROLL, _l("Thermal roll (PDF, one label per page)")),
            SelectChoice(PrintJobKind.ZPL, _l("Thermal roll (ZPL, Zebra printers)")),
        ],
    )
    preset = StringField(
        _l("Label stock"),
        default=DEFAULT_PRESET,
        validators=[DataRequired(), Length(max=120)],
    )
    start_position = IntegerField(
        _l("Start at position"), default=1, validators=[DataRequired(), NumberRange(min=1, max=200)]
    )
    offset_x_mm = DecimalField(
        _l("Move right (mm, negative: left)"),
        default=Decimal(0),
        places=1,
        validators=[Optional(), NumberRange(min=-MAX_OFFSET_MM, max=MAX_OFFSET_MM)],
    )
    offset_y_mm = DecimalField(
        _l("Move down (mm, negative: up)"),
        default=Decimal(0),
        places=1,
        validators=[Optional(), NumberRange(min=-MAX_OFFSET_MM, max=MAX_OFFSET_MM)],
    )
    # Its default is the run's language (the view passes it).
    language = SelectField(
        _l("Label language"), default=DEFAULT_LABEL_LANGUAGE, choices=LABEL_LANGUAGE_CHOICES
    )


class CalibrationForm(Form):
    """The stock and offsets of a calibration page; read from the query string."""

    class Meta:
        csrf = False  # a GET download changes nothing

    preset = StringField(_l("Label stock"), default=DEFAULT_PRESET, validators=[Length(max=120)])
    offset_x_mm = DecimalField(
        _l("Move right (mm, negative: left)"),
        default=Decimal(0),
        validators=[Optional(), NumberRange(min=-MAX_OFFSET_MM, max=MAX_OFFSET_MM)],
    )
    offset_y_mm = DecimalField(
        _l("Move down (mm, negative: up)"),
        default=Decimal(0),
        validators=[Optional(), NumberRange(min=-MAX_OFFSET_MM, max=MAX_OFFSET_MM)],
    )


class VoidLabelForm(Form):
    serial = StringField(_l("Serial"), validators=[DataRequired(), Length(max=20)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class VoidRangeForm(Form):
    run_id = SelectField(_l("Issuance run"), coerce=int)
    first = IntegerField(_l("First position"), validators=[DataRequired(), NumberRange(min=1)])
    last = IntegerField(_l("Last position"), validators=[DataRequired(), NumberRange(min=1)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
