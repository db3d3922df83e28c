"""The links the page builds to itself are exactly what Flask's router would build."""

from __future__ import annotations

from flask import request, url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from traceapp.web.public import _page_url

# What a request can carry: no lone surrogates (the server decodes bytes), no "/" in a segment.
characters = st.characters(exclude_categories=("Cs",), exclude_characters="/\x00")
segment = st.text(characters, min_size=1, max_size=12)
parameters = st.dictionaries(
    st.sampled_from(["8030", "utm", "q r", "é", "x&y"]),
    st.text(characters, max_size=12),
    max_size=3,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    item=segment,
    lot=segment,
    serial=segment,
    args=parameters,
    endpoint=st.sampled_from(
        [("public.verify_gs1", "gtin"), ("public.verify_product_ref", "product_ref")]
    ),
)
def test_page_url_matches_the_routers_url(app, item, lot, serial, args, endpoint):
    name, item_arg = endpoint
    with app.test_request_context("/"):
        path = url_for(name, **{item_arg: item}, lot=lot, serial=serial)
    with app.test_request_context(path):
        assert request.endpoint == name
        assert _page_url(args) == url_for(name, **request.view_args, **args)
