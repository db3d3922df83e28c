"""Inspectors: finding a batch, recording an inspection, the offline bundle."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from traceapp.models import InspectionResult


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing

    batch_id = IntegerField("Batch number", validators=[Optional()])
    cooperative_id = SelectField("Cooperative", coerce=int, validate_choice=False)
    lot_code = StringField("Lot code", validators=[Optional(), Length(max=20)])
    code = StringField("Label code (scan or paste)", validators=[Optional(), Length(max=600)])


class InspectionForm(FlaskForm):
    inspected_on = DateField("Date", validators=[DataRequired()])
    place = StringField("Place", validators=[DataRequired(), Length(max=200)])
    result = SelectField("Result", choices=[SelectChoice(r, r) for r in InspectionResult])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=4000)])
    photo_ref = StringField("Photo reference", validators=[Optional(), Length(max=300)])


class BundleForm(FlaskForm):
    class Meta:
        csrf = False  # a download

    # Choices come from the batches (domain.offline_bundle.bundle_regions), never free text.
    region = SelectField("Province or commune", validators=[DataRequired()])
