"""The value chain's console forms (WTForms) and the CLI read the same input alike, and
bad input is a clear 4xx or exit code 2, never a 500 (issue 13 item 10, issue 14 item 7)."""

from __future__ import annotations

import html
import re

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import func, select

from tests.console.world import sign_in_as
from traceapp.cli import main
from traceapp.domain.value_chain import StepDetails, record_step
from traceapp.models import ChainEvent


def field_errors(response) -> list[str]:
    return [html.unescape(e) for e in re.findall(r'class="error"[^>]*>([^<]*)<', response.text)]


def post_step(client, world, **data):
    sign_in_as(client, world.users["union_officer"])
    return client.post(f"/console/chain/batches/{world.batch_a.id}/events", data=data)


def cli(app, *args: str):
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def events(connection) -> int:
    return connection.scalar(select(func.count()).select_from(ChainEvent))


def test_an_input_without_a_quantity_is_refused_alike_by_console_and_cli(
    app, client, world, connection
):
    page = post_step(client, world, step="transforming", inputs=f"{world.batch_b.id}:")
    command = cli(
        app, "chain", "record", str(world.batch_a.id), "--step", "transforming",
        "--input", f"{world.batch_b.id}:",
    )  # fmt: skip
    assert (page.status_code, command.exit_code) == (422, 2)
    # One refusal: in the reader's language on the page, in English on the command line.
    typed = f"'{world.batch_b.id}:'"
    assert f"Nguyên liệu {typed} không đúng dạng 12:1200" in field_errors(page)[0]
    assert f"input {typed} is not 12:1200" in command.output
    assert events(connection) == 0


def test_console_and_cli_record_the_same_inputs_from_the_same_text(app, client, world):
    text = f"{world.batch_b.id}:3"
    page = post_step(client, world, step="transforming", inputs=text)
    command = cli(
        app, "chain", "record", str(world.draft_a.id), "--step", "transforming", "--input", text
    )
    assert (page.status_code, command.exit_code) == (302, 0), command.output


@pytest.mark.parametrize("digits", ["²", "١", "１"])
@pytest.mark.parametrize(
    "data",
    [
        {"step": "transforming", "inputs": "{d}:1"},
        {"step": "transforming", "inputs": "1:{d}"},
        {"step": "packing", "boxes": "{d}", "per_box": "1"},
        {"step": "packing", "boxes": "1", "per_box": "{d}"},
        {"step": "shipping", "partner_id": "{d}"},
    ],
    ids=["input-batch", "input-quantity", "boxes", "per_box", "partner"],
)
def test_unicode_digits_in_a_step_are_a_clear_422(client, world, connection, data, digits):
    response = post_step(client, world, **{k: v.format(d=digits) for k, v in data.items()})
    assert (response.status_code, bool(field_errors(response))) == (422, True)
    assert events(connection) == 0


@pytest.mark.parametrize("digits", ["²", "١"])
def test_unicode_digits_in_an_input_exit_2_on_the_cli(app, world, digits):
    result = cli(
        app, "chain", "record", str(world.batch_a.id), "--step", "transforming",
        "--input", f"{digits}:1",
    )  # fmt: skip
    assert (result.exit_code, "digits 0-9" in result.output) == (2, True)


@pytest.mark.parametrize("packing", ["²", "١", "x", "0"])
def test_box_labels_of_a_packing_not_in_digits_is_a_422(client, world, db_session, packing):
    record_step(db_session, world.batch_a.id, StepDetails("packing", boxes=2, per_box=5), "test")
    db_session.commit()
    sign_in_as(client, world.users["union_officer"])
    response = client.post(
        f"/console/chain/batches/{world.batch_a.id}/box-labels", data={"packing": packing}
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "path", ["/chain/box/%00/L1/1", "/chain/box/08936001000010/%00/1", "/chain/box/x/L%00/1"]
)
def test_nul_in_a_box_address_is_404_not_500(client, path):
    assert client.get(path).status_code == 404


def test_partner_form_refusal_is_shown_on_its_field(client, world):
    sign_in_as(client, world.users["union_officer"])
    response = client.post(
        "/console/chain/partners", data={"name": "Chợ Xanh", "role": "buyer", "gln": "1234"}
    )
    assert (response.status_code, field_errors(response)) == (
        422,
        ["Mã GLN gồm 13 chữ số với số kiểm tra hợp lệ."],
    )


def test_import_without_a_file_is_422_on_the_form(client, world):
    sign_in_as(client, world.users["union_officer"])
    response = client.post("/console/chain/import", data={})
    assert (response.status_code, field_errors(response)) == (
        422,
        ["chọn một tệp EPCIS 2.0 JSON-LD"],
    )
