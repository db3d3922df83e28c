"""`traceapp labels`: print an issuance run as PDF sheets, a thermal roll, ZPL or
single PNG/SVG labels, and print a calibration page."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from labels import (
    DEFAULT_PRESET,
    DEFAULT_ROLL_MM,
    PRESETS,
    LayoutError,
    get_preset,
    load_layout,
    render_calibration_pdf,
    render_label_png,
    render_label_svg,
)
from labels.stocks import find_stocks, recommended_stocks
from labels.zpl import ALLOWED_DPI
from traceapp.cli.support import (
    CommandError,
    Progress,
    command_session,
    counted,
    output_file,
    settings,
    write_file,
)
from traceapp.clock import today_local
from traceapp.domain.label_wording import LABEL_LANGUAGES
from traceapp.domain.print_jobs import (
    PrintRequest,
    PrintSetup,
    check_request,
    chunked_labels,
    label_range,
    render,
)
from traceapp.domain.printing import get_run, run_labels
from traceapp.errors import DomainError
from traceapp.models import PrintJobKind

out_option = click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="File to write.",
)
range_options = [
    click.option(
        "--first",
        default=1,
        show_default=True,
        type=int,
        help="First label of the run to print (1-based).",
    ),
    click.option("--last", default=None, type=int, help="Last label to print [default: all]."),
]


language_option = click.option(
    "--language",
    default=None,
    type=click.Choice(LABEL_LANGUAGES),
    help="Language of the label's words and certification names (en for export) "
    "[default: the run's, chosen at issuance].",
)


def _with(options):
    def decorate(function):
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


def _sheet_options(function):
    options = [
        click.option(
            "--stock",
            "--preset",
            "preset",
            default=DEFAULT_PRESET,
            show_default=True,
            help=f"Label stock: {', '.join(PRESETS)}, an alias, or a gLabels stock such as"
            " 'Avery L7160' (see `traceapp labels presets --search`).",
        ),
        click.option(
            "--layout",
            "layout_file",
            default=None,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Custom grid as a JSON or TOML file (overrides --preset).",
        ),
        click.option(
            "--start",
            default=1,
            show_default=True,
            type=int,
            help="Position of the first label on a partly used sheet.",
        ),
        click.option(
            "--offset-x",
            default=0.0,
            show_default=True,
            type=float,
            help="Printer calibration, mm to the right (negative: left).",
        ),
        click.option(
            "--offset-y",
            default=0.0,
            show_default=True,
            type=float,
            help="Printer calibration, mm down (negative: up).",
        ),
        click.option("--cut-outlines", is_flag=True, help="Draw each label's outline."),
    ]
    return _with(options)(function)


@click.group("labels", help="Print issued labels.")
def labels_group() -> None:
    pass


@labels_group.command(
    "presets",
    help="List the label stocks: TraceApp's recommended presets, or with --search "
    "the gLabels stocks too (Avery, Herma, Zweckform...).",
)
@click.option("--search", "query", default=None, help="Words to look for, e.g. 'avery l7160'.")
def presets(query: str | None) -> None:
    stocks = find_stocks(query, limit=200) if query else recommended_stocks()
    if not stocks:
        raise CommandError(f"no label stock matches {query!r}")
    for stock in stocks:
        numbers = ", ".join(stock.product_numbers) or stock.description
        mark = "*" if stock.recommended else " "
        click.echo(f"{mark} {stock.name:<24} {stock.summary:<36} {numbers}")
    if not query:
        click.echo(f"(* recommended; default {DEFAULT_PRESET}; more: --search WORDS)")


@labels_group.command("sheet", help="Write RUN_ID's labels as a PDF label sheet.")
@click.argument("run_id", type=int)
@out_option
@_sheet_options
@language_option
@_with(range_options)
@with_appcontext
def sheet(
    run_id: int,
    out: Path,
    preset: str,
    layout_file: Path | None,
    start: int,
    offset_x: float,
    offset_y: float,
    cut_outlines: bool,
    language: str,
    first: int,
    last: int | None,
) -> None:
    out = output_file(out)
    request = PrintRequest(
        kind=PrintJobKind.SHEET,
        preset=preset,
        start_position=start,
        offset_x_mm=offset_x,
        offset_y_mm=offset_y,
        cut_outlines=cut_outlines,
        language=language,
        first=first,
        last=last,
    )
    if layout_file is not None:
        layout, options = _layout_and_options(
            preset, layout_file, start, offset_x, offset_y, cut_outlines
        )
        setup = PrintSetup(request, layout, options)
    else:
        setup = _checked(request)
    assert setup.layout is not None
    _render_to(out, run_id, setup)
    click.echo(f"wrote {out} ({setup.layout.name}); print it at 100 % (no 'fit to page')")


@labels_group.command(
    "roll",
    help="Write RUN_ID's labels for a thermal roll printer "
    "(PDF, one label per page, or ZPL with --zpl).",
)
@click.argument("run_id", type=int)
@out_option
@click.option(
    "--width",
    "width_mm",
    default=DEFAULT_ROLL_MM[0],
    show_default=True,
    type=float,
    help="Label width in mm.",
)
@click.option(
    "--height",
    "height_mm",
    default=DEFAULT_ROLL_MM[1],
    show_default=True,
    type=float,
    help="Label height in mm.",
)
@click.option("--zpl", is_flag=True, help="Write ZPL II for Zebra printers instead of PDF.")
@click.option(
    "--dpi",
    default=203,
    show_default=True,
    type=click.Choice([str(d) for d in ALLOWED_DPI]),
    help="Zebra print head resolution (with --zpl).",
)
@language_option
@_with(range_options)
@with_appcontext
def roll(
    run_id: int,
    out: Path,
    width_mm: float,
    height_mm: float,
    zpl: bool,
    dpi: str,
    language: str,
    first: int,
    last: int | None,
) -> None:
    out = output_file(out)
    setup = _checked(
        PrintRequest(
            kind=PrintJobKind.ZPL if zpl else PrintJobKind.ROLL,
            width_mm=width_mm,
            height_mm=height_mm,
            dpi=int(dpi),
            language=language,
            first=first,
            last=last,
        )
    )
    _render_to(out, run_id, setup)
    click.echo(f"wrote {out}")


def _checked(request: PrintRequest) -> PrintSetup:
    try:
        return check_request(request, settings().print_options())
    except DomainError as exc:
        raise CommandError(exc.detail) from exc


def _render_to(out: Path, run_id: int, setup: PrintSetup) -> None:
    """Render the run's labels as ``setup`` asks, with a progress bar, and write ``out``.

    Labels are read as a print worker reads them (short transactions), so the
    command never holds the database while it draws.
    """
    request = setup.request
    with command_session() as session:
        first, last = label_range(get_run(session, run_id), request)
    labels = chunked_labels(
        current_app.extensions["traceapp.sessions"],
        run_id,
        settings().public_base_url,
        first,
        last,
        request.language,
        today_local(),
        progress=lambda done: None,
    )
    with Progress(last - first + 1, "rendering labels") as progress:
        try:
            data = render(setup, counted(labels, progress))
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
    write_file(out, data)


@labels_group.command(
    "single", help="Write one label of RUN_ID as PNG or SVG (chosen by the file name's ending)."
)
@click.argument("run_id", type=int)
@click.option(
    "--position", default=1, show_default=True, type=int, help="Which label of the run (1-based)."
)
@out_option
@with_appcontext
@language_option
def single(run_id: int, position: int, out: Path, language: str) -> None:
    if out.suffix.lower() not in (".png", ".svg"):
        raise CommandError("--out must end in .png or .svg")
    out = output_file(out)
    with command_session() as session:
        run = get_run(session, run_id)
        label = next(
            run_labels(
                session,
                run,
                settings().public_base_url,
                first=position,
                last=position,
                language=language,
            )
        )
    draw = render_label_svg if out.suffix.lower() == ".svg" else render_label_png
    font = settings().label_font
    write_file(out, _render(lambda: draw(label, font_path=font)))
    click.echo(f"wrote {out}")


@labels_group.command(
    "calibration",
    help="Write a calibration page for a label stock: "
    "print it on plain paper and hold it against a sheet.",
)
@out_option
@_sheet_options
@with_appcontext
def calibration(
    out: Path,
    preset: str,
    layout_file: Path | None,
    start: int,
    offset_x: float,
    offset_y: float,
    cut_outlines: bool,
) -> None:
    out = output_file(out)
    layout, options = _layout_and_options(
        preset, layout_file, start, offset_x, offset_y, cut_outlines
    )
    write_file(out, _render(lambda: render_calibration_pdf(layout, options)))
    click.echo(f"wrote {out}")


def _layout_and_options(
    preset: str,
    layout_file: Path | None,
    start: int,
    offset_x: float,
    offset_y: float,
    cut_outlines: bool,
):
    def build():
        layout = load_layout(layout_file) if layout_file else get_preset(preset)
        options = replace(
            settings().print_options(),
            start_position=start,
            offset_x_mm=offset_x,
            offset_y_mm=offset_y,
            cut_outlines=cut_outlines,
        )
        options.check_against(layout)
        return layout, options

    return _render(build)


def _render(action):
    try:
        return action()
    except LayoutError as exc:
        raise CommandError(str(exc)) from exc


commands = [labels_group]
