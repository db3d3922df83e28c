"""`traceapp labels`: print an issuance run as PDF sheets, a thermal roll, ZPL or
single PNG/SVG labels, and print a calibration page."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click
from flask.cli import with_appcontext

from labels import (
    PRESETS,
    LayoutError,
    get_preset,
    load_layout,
    render_calibration_pdf,
    render_label_png,
    render_label_svg,
    render_roll_pdf,
    render_zpl,
)
from traceapp.cli.support import CommandError, command_session, settings
from traceapp.domain.printing import get_run, run_labels, run_sheet_pdf

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


def _with(options):
    def decorate(function):
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


def _sheet_options(function):
    options = [
        click.option(
            "--preset",
            default="a4-65",
            show_default=True,
            help=f"Label stock: {', '.join(PRESETS)} (or a known alias).",
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


@labels_group.command("presets", help="List the label stock presets.")
def presets() -> None:
    for name in PRESETS:
        layout = get_preset(name)
        click.echo(
            f"{name:<10} {layout.columns * layout.rows:>3} per sheet, "
            f"{layout.label_width_mm:g} x {layout.label_height_mm:g} mm on "
            f"{layout.page_width_mm:g} x {layout.page_height_mm:g} mm"
        )


@labels_group.command("sheet", help="Write RUN_ID's labels as a PDF label sheet.")
@click.argument("run_id", type=int)
@out_option
@_sheet_options
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
    first: int,
    last: int | None,
) -> None:
    layout, options = _layout_and_options(
        preset, layout_file, start, offset_x, offset_y, cut_outlines
    )
    with command_session() as session:
        run = get_run(session, run_id)
        pdf = _render(
            lambda: run_sheet_pdf(
                session, run, settings().public_base_url, layout, options, first=first, last=last
            )
        )
    out.write_bytes(pdf)
    click.echo(f"wrote {out} ({layout.name})")


@labels_group.command(
    "roll",
    help="Write RUN_ID's labels for a thermal roll printer "
    "(PDF, one label per page, or ZPL with --zpl).",
)
@click.argument("run_id", type=int)
@out_option
@click.option(
    "--width", "width_mm", default=50.0, show_default=True, type=float, help="Label width in mm."
)
@click.option(
    "--height", "height_mm", default=30.0, show_default=True, type=float, help="Label height in mm."
)
@click.option("--zpl", is_flag=True, help="Write ZPL II for Zebra printers instead of PDF.")
@_with(range_options)
@with_appcontext
def roll(
    run_id: int,
    out: Path,
    width_mm: float,
    height_mm: float,
    zpl: bool,
    first: int,
    last: int | None,
) -> None:
    with command_session() as session:
        run = get_run(session, run_id)
        data = run_labels(session, run, settings().public_base_url, first=first, last=last)
        if zpl:
            font = settings().label_font
            output = _render(lambda: render_zpl(data, width_mm, height_mm, font_path=font))
        else:
            options = settings().print_options()
            output = _render(lambda: render_roll_pdf(data, width_mm, height_mm, options))
    out.write_bytes(output)
    click.echo(f"wrote {out}")


@labels_group.command(
    "single", help="Write one label of RUN_ID as PNG or SVG (chosen by the file name's ending)."
)
@click.argument("run_id", type=int)
@click.option(
    "--position", default=1, show_default=True, type=int, help="Which label of the run (1-based)."
)
@out_option
@with_appcontext
def single(run_id: int, position: int, out: Path) -> None:
    if out.suffix.lower() not in (".png", ".svg"):
        raise CommandError("--out must end in .png or .svg")
    with command_session() as session:
        run = get_run(session, run_id)
        label = next(
            run_labels(session, run, settings().public_base_url, first=position, last=position)
        )
    render = render_label_svg if out.suffix.lower() == ".svg" else render_label_png
    font = settings().label_font
    out.write_bytes(_render(lambda: render(label, font_path=font)))
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
    layout, options = _layout_and_options(
        preset, layout_file, start, offset_x, offset_y, cut_outlines
    )
    out.write_bytes(_render(lambda: render_calibration_pdf(layout, options)))
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
