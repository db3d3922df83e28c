"""Refusals reach a Vietnamese reader in Vietnamese.

Every refusal the domain or the web layer raises is an English template with named
values, marked for the catalogues and translated into Vietnamese and French; the
console shows it translated, with its values (field names, statuses, steps) in the
reader's words. The walk below provokes refusals through the console and finds no
English from the catalogue on the page.
"""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.catalogue_english import english_in
from tests.console.world import sign_in_as
from traceapp.errors import InvalidInput, one_of
from traceapp.models import Role
from traceapp.web.errors import domain_message

ROOT = Path(__file__).parents[2]
TRANSLATIONS = ROOT / "traceapp/translations"


def _refusal_classes(trees: list[ast.Module]) -> set[str]:
    names = {"DomainError"}
    while True:
        more = {
            node.name
            for tree in trees
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and any(isinstance(b, ast.Name) and b.id in names for b in node.bases)
        }
        if more <= names:
            return names
        names |= more


def _templates() -> tuple[set[str], list[str]]:
    """Every refusal's template in traceapp, and the calls whose message is not one."""
    trees = {
        path: ast.parse(path.read_text())
        for path in (ROOT / "traceapp").rglob("*.py")
        if "migrations" not in path.parts
    }
    classes = _refusal_classes(list(trees.values()))
    templates, computed = set(), []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in classes:
                continue
            first = node.args[0]
            if isinstance(first, ast.Call) and getattr(first.func, "id", None) == "N_":
                first = first.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                templates.add(first.value)
            else:
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                computed.append(f"{where}: {name}({ast.unparse(node.args[0])[:60]})")
    return templates, computed


def test_every_refusal_is_a_template_not_computed_text():
    _templates_found, computed = _templates()
    assert computed == []


@pytest.mark.parametrize("language", ["vi", "fr"])
def test_every_refusal_template_is_translated(language):
    with (TRANSLATIONS / language / "LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    templates, _computed = _templates()
    untranslated = sorted(t for t in templates if not (catalogue.get(t) and catalogue[t].string))
    assert untranslated == []


def test_a_refusals_values_are_in_the_readers_words(app):
    with pytest.raises(InvalidInput) as refused:
        one_of(Role, "boss", "role")
    assert refused.value.detail == (
        "role must be one of: union_officer, cooperative_operator, inspector"
    )
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        app.preprocess_request()
        assert domain_message(refused.value) == (
            "Vai trò phải là một trong: Cán bộ Liên minh, Nhân viên hợp tác xã, Cán bộ kiểm tra."
        )


def _text(response) -> str:
    body = response.get_data(as_text=True)
    main = body[body.index("<main") : body.index("</main>")]
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def _chain(world, **data):
    return ("post", f"/console/chain/batches/{world.batch_a.id}/events", data)


# (who, request, Vietnamese words the refusal shows)
CASES = {
    "input-format": (
        "union_officer",
        lambda w: _chain(w, step="transforming", inputs="3:"),
        "không đúng dạng 12:1200",
    ),
    "input-of-another-cooperative": (
        "operator_own",
        lambda w: _chain(w, step="transforming", inputs=f"{w.batch_b.id}:1"),
        "không có lô hàng khác số",
    ),
    "input-too-large": (
        "union_officer",
        lambda w: _chain(w, step="transforming", inputs=f"{w.batch_b.id}:99999999"),
        "từ 1 đến",
    ),
    "too-many-items-in-boxes": (
        "union_officer",
        lambda w: _chain(w, step="packing", boxes="1000", per_box="1000"),
        "chưa đóng thùng",
    ),
    "shipping-without-partner": (
        "union_officer",
        lambda w: _chain(w, step="shipping"),
        "cần chọn đối tác",
    ),
    "record-out-of-range": (
        "union_officer",
        lambda w: ("get", "/console/batches/99999999999", None),
        "lô hàng số 99999999999",
    ),
    "print-job-not-ready": (
        "operator_own",
        lambda w: ("get", f"/console/print-jobs/{w.job_a.id}/file", None),
        "chưa sẵn sàng để tải về",
    ),
    "box-labels-before-packing": (
        "union_officer",
        lambda w: ("post", f"/console/chain/batches/{w.batch_a.id}/box-labels", {}),
        "chưa được đóng thùng",
    ),
    "unknown-label-stock": (
        "operator_own",
        lambda w: ("get", "/console/calibration.pdf?preset=no-such-stock", None),
        "no-such-stock",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_console_refusals_read_in_vietnamese(client, world, case):
    who, make, words = CASES[case]
    sign_in_as(client, world.users[who])
    method, path, data = make(world)
    response = getattr(client, method)(path, data=data)
    assert 400 <= response.status_code < 500, response.status_code
    text = _text(response)
    assert words in text, text
    assert english_in(text) == [], text
