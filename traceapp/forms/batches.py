"""Batches, their certifications, recall, label requests, sheets and voiding."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from labels import PRESETS
from traceapp.domain.issuance import MAX_LABELS_PER_REQUEST
from traceapp.models import CertificationScheme


class BatchForm(FlaskForm):
    product_id = SelectField("Product", coerce=int)
    lot_code = StringField("Lot code", validators=[DataRequired(), Length(max=20)])
    quantity = IntegerField("Quantity (items)", validators=[DataRequired(), NumberRange(min=1)])
    unit = StringField("Unit", validators=[DataRequired(), Length(max=20)])
    produced_on = DateField("Produced on", validators=[DataRequired()])
    best_before = DateField("Best before", validators=[Optional()])
    origin_farm = StringField("Farm", validators=[Optional(), Length(max=200)])
    origin_commune = StringField("Commune", validators=[DataRequired(), Length(max=100)])
    origin_province = StringField("Province", validators=[DataRequired(), Length(max=100)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])


class CertificationForm(FlaskForm):
    scheme = SelectField("Scheme", choices=[SelectChoice(s, s) for s in CertificationScheme])
    ocop_stars = IntegerField(
        "OCOP stars (OCOP only)", validators=[Optional(), NumberRange(min=3, max=5)]
    )
    certificate_number = StringField(
        "Certificate number", validators=[DataRequired(), Length(max=60)]
    )
    issuing_body = StringField("Issued by", validators=[DataRequired(), Length(max=200)])
    valid_from = DateField("Valid from", validators=[DataRequired()])
    valid_to = DateField("Valid to", validators=[DataRequired()])
    claim = TextAreaField("Claim", validators=[Optional(), Length(max=2000)])
    evidence_ref = StringField(
        "Evidence (reference or file name)", validators=[Optional(), Length(max=300)]
    )


class RecallForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=2000)])


class IssuanceForm(FlaskForm):
    count = IntegerField(
        "Number of labels",
        validators=[DataRequired(), NumberRange(min=1, max=MAX_LABELS_PER_REQUEST)],
    )


class SheetForm(FlaskForm):
    """Chooses the label stock and where printing starts; read from the query string."""

    class Meta:
        csrf = False  # a GET download changes nothing

    preset = SelectField(
        "Label stock",
        default="a4-40",
        choices=[
            SelectChoice(name, f"{name} ({layout.labels_per_sheet} per sheet)")
            for name, layout in PRESETS.items()
        ],
    )
    start_position = IntegerField(
        "Start at position", default=1, validators=[DataRequired(), NumberRange(min=1, max=200)]
    )


class VoidLabelForm(FlaskForm):
    serial = StringField("Serial", validators=[DataRequired(), Length(max=20)])
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])


class VoidRangeForm(FlaskForm):
    run_id = SelectField("Issuance run", coerce=int)
    first = IntegerField("First position", validators=[DataRequired(), NumberRange(min=1)])
    last = IntegerField("Last position", validators=[DataRequired(), NumberRange(min=1)])
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])
