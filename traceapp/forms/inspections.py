"""Inspectors: finding a batch, recording an inspection, the offline bundle."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from traceapp.forms import Form
from traceapp.models import InspectionResult
from traceapp.web.vocabulary import choices


class LookupForm(Form):
    class Meta:
        csrf = False  # a search changes nothing

    batch_id = IntegerField(_l("Batch number"), validators=[Optional()])
    cooperative_id = SelectField(_l("Cooperative"), coerce=int, validate_choice=False)
    lot_code = StringField(_l("Lot code"), validators=[Optional(), Length(max=20)])
    code = StringField(_l("Label code (scan or paste)"), validators=[Optional(), Length(max=600)])


class InspectionForm(Form):
    inspected_on = DateField(_l("Date"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=200)])
    result = SelectField(_l("Result"), choices=choices("inspection_result", InspectionResult))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])
    photo_ref = StringField(_l("Photo reference"), validators=[Optional(), Length(max=300)])


class BundleForm(Form):
    class Meta:
        csrf = False  # a download

    # Choices come from the batches (domain.offline_bundle.bundle_regions), never free text.
    region = SelectField(_l("Province or commune"), validators=[DataRequired()])
