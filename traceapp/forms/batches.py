"""Batches, their certifications, recall, label requests, sheets and voiding."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from labels import PRESETS
from traceapp.domain.issuance import MAX_LABELS_PER_REQUEST
from traceapp.forms import Form
from traceapp.models import CertificationScheme
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


class IssuanceForm(Form):
    count = IntegerField(
        _l("Number of labels"),
        validators=[DataRequired(), NumberRange(min=1, max=MAX_LABELS_PER_REQUEST)],
    )


class SheetForm(Form):
    """Chooses the label stock and where printing starts; read from the query string."""

    class Meta:
        csrf = False  # a GET download changes nothing

    preset = SelectField(
        _l("Label stock"),
        default="a4-40",
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


class VoidLabelForm(Form):
    serial = StringField(_l("Serial"), validators=[DataRequired(), Length(max=20)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class VoidRangeForm(Form):
    run_id = SelectField(_l("Issuance run"), coerce=int)
    first = IntegerField(_l("First position"), validators=[DataRequired(), NumberRange(min=1)])
    last = IntegerField(_l("Last position"), validators=[DataRequired(), NumberRange(min=1)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
