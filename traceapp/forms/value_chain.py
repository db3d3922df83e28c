"""The value chain's console forms: partners, recording a step, importing EPCIS."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from traceapp.domain.value_chain import (
    MAX_BOXES,
    MAX_REFERENCE,
    STEPS,
    parse_inputs,
    parse_moment,
)
from traceapp.errors import InvalidInput
from traceapp.forms import Form
from traceapp.forms.batches import SheetForm
from traceapp.models._columns import MAX_ID
from traceapp.models.value_chain import PartnerRole
from traceapp.web.errors import domain_message
from traceapp.web.vocabulary import choices


class PartnerForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=choices("partner_role", PartnerRole))
    gln = StringField(_l("GLN (optional)"), validators=[Optional(), Length(max=13)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    province = StringField(_l("Province"), validators=[Optional(), Length(max=100)])


class InputsField(StringField):
    """A transformation's inputs typed as "12:1200, 13:300"; `pairs` holds them parsed,
    by the same parser as the CLI's `--input`."""

    pairs: tuple[tuple[int, int], ...] = ()

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        try:
            self.pairs = parse_inputs([self.data or ""])
        except InvalidInput as exc:
            raise ValueError(domain_message(exc)) from None


class MomentField(StringField):
    """An ISO 8601 time (the browser's datetime-local sends one without an offset, which
    is Vietnamese time); `moment` holds it parsed, None for now."""

    moment: datetime | None = None

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        try:
            self.moment = parse_moment(self.data)
        except InvalidInput as exc:
            raise ValueError(domain_message(exc)) from None


class WholeNumberField(IntegerField):
    """A whole number in the digits 0-9 only: int() would also read "١٢" as 12."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and valuelist[0].strip() and not valuelist[0].strip().isascii():
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)


class StepForm(Form):
    """One step of a batch's value chain; which fields count depends on the step."""

    step = SelectField(_l("Step"), choices=choices("step", STEPS))
    at = MomentField(
        _l("When (Vietnam time; empty means now)"), render_kw={"type": "datetime-local"}
    )
    # Choices are the registered partners, set by the view; 0 is "none".
    partner_id = SelectField(_l("Partner (shipping, receiving, processing)"), coerce=int, default=0)
    boxes = WholeNumberField(
        _l("Boxes (packing)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_BOXES)],
        render_kw={"inputmode": "numeric"},
    )
    per_box = WholeNumberField(
        _l("Items per box (packing)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_ID)],
        render_kw={"inputmode": "numeric"},
    )
    conformant = SelectField(
        _l("Inspection result"),
        choices=[
            SelectChoice("yes", _l("Conformant")),
            SelectChoice("no", _l("Not conformant")),
        ],
        default="yes",
    )
    reference = StringField(
        _l("Despatch or receipt reference"), validators=[Optional(), Length(max=MAX_REFERENCE)]
    )
    inputs = InputsField(
        _l("Inputs (processing: batch number:quantity, separated by commas)"),
        render_kw={"placeholder": "12:1200"},
    )


class BoxLabelsForm(SheetForm):
    """The box labels of one packing (numbered from 1 in time order), or of every box."""

    packing = WholeNumberField(
        _l("Packing"), validators=[Optional(), NumberRange(min=1, max=MAX_BOXES)]
    )


class ImportForm(Form):
    document = FileField(
        _l("JSON-LD file"),
        validators=[FileRequired(_l("choose an EPCIS 2.0 JSON-LD file"))],
        render_kw={"accept": ".json,.jsonld,application/ld+json,application/json"},
    )
