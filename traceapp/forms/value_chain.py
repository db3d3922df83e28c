"""The value chain's console forms: partners, recording a step, importing EPCIS."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
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
from traceapp.forms.batches import SheetForm
from traceapp.models._columns import MAX_ID
from traceapp.models.value_chain import PartnerRole


class PartnerForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Role", choices=[SelectChoice(r.value, r.value) for r in PartnerRole])
    gln = StringField("GLN (optional)", validators=[Optional(), Length(max=13)])
    address = StringField("Address", validators=[Optional(), Length(max=300)])
    province = StringField("Province", validators=[Optional(), Length(max=100)])


class InputsField(StringField):
    """A transformation's inputs typed as "12:1200, 13:300"; `pairs` holds them parsed,
    by the same parser as the CLI's `--input`."""

    pairs: tuple[tuple[int, int], ...] = ()

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        try:
            self.pairs = parse_inputs([self.data or ""])
        except InvalidInput as exc:
            raise ValueError(exc.detail) from None


class MomentField(StringField):
    """An ISO 8601 time (the browser's datetime-local sends one without an offset, which
    is Vietnamese time); `moment` holds it parsed, None for now."""

    moment: datetime | None = None

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        try:
            self.moment = parse_moment(self.data)
        except InvalidInput as exc:
            raise ValueError(exc.detail) from None


class WholeNumberField(IntegerField):
    """A whole number in the digits 0-9 only: int() would also read "١٢" as 12."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and valuelist[0].strip() and not valuelist[0].strip().isascii():
            self.data = None
            raise ValueError(f"{valuelist[0][:20]!r} is not a whole number in digits 0-9")
        super().process_formdata(valuelist)


class StepForm(FlaskForm):
    """One step of a batch's value chain; which fields count depends on the step."""

    step = SelectField("Step", choices=[SelectChoice(s, s) for s in STEPS])
    at = MomentField("When (local time, empty = now)", render_kw={"type": "datetime-local"})
    # Choices are the registered partners, set by the view; 0 is "none".
    partner_id = SelectField("Partner (shipping, receiving, transforming)", coerce=int, default=0)
    boxes = WholeNumberField(
        "Boxes (packing)",
        validators=[Optional(), NumberRange(min=1, max=MAX_BOXES)],
        render_kw={"inputmode": "numeric"},
    )
    per_box = WholeNumberField(
        "Items per box (packing)",
        validators=[Optional(), NumberRange(min=1, max=MAX_ID)],
        render_kw={"inputmode": "numeric"},
    )
    conformant = SelectField(
        "Inspection result",
        choices=[SelectChoice("yes", "conformant"), SelectChoice("no", "non-conformant")],
        default="yes",
    )
    reference = StringField(
        "Despatch / receipt reference", validators=[Optional(), Length(max=MAX_REFERENCE)]
    )
    inputs = InputsField(
        "Inputs (transforming: batch id:quantity, comma-separated)",
        render_kw={"placeholder": "12:1200"},
    )


class BoxLabelsForm(SheetForm):
    """The box labels of one packing (numbered from 1 in time order), or of every box."""

    packing = WholeNumberField(
        "Packing", validators=[Optional(), NumberRange(min=1, max=MAX_BOXES)]
    )


class ImportForm(FlaskForm):
    document = FileField(
        "EPCIS 2.0 JSON-LD file",
        validators=[FileRequired("choose an EPCIS 2.0 JSON-LD file")],
        render_kw={"accept": ".json,.jsonld,application/ld+json,application/json"},
    )
