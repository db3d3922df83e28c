"""Registering cooperatives and their products."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from traceapp.models import ProductCategory


class CooperativeForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    registration_number = StringField(
        "Registration number", validators=[DataRequired(), Length(max=40)]
    )
    commune = StringField("Commune", validators=[DataRequired(), Length(max=100)])
    province = StringField("Province", validators=[DataRequired(), Length(max=100)])
    contact_name = StringField("Contact name", validators=[Optional(), Length(max=200)])
    contact_phone = StringField("Contact phone", validators=[Optional(), Length(max=40)])
    contact_email = StringField("Contact e-mail", validators=[Optional(), Length(max=200)])


class ProductForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    category = SelectField("Category", choices=[SelectChoice(c, c) for c in ProductCategory])
    unit = StringField("Unit", validators=[DataRequired(), Length(max=20)])
    ref = StringField("Product reference", validators=[DataRequired(), Length(max=20)])
    gtin = StringField("GTIN (optional)", validators=[Optional(), Length(max=14)])
