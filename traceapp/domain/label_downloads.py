"""What a cooperative downloads to print: a run's labels as sheets, single labels, a roll."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from labels import (
    DEFAULT_OPTIONS,
    LayoutError,
    PrintOptions,
    get_preset,
    page_count,
    render_label_png,
    render_label_svg,
    render_roll_pdf,
)
from traceapp.domain.printing import get_run, run_labels, run_sheet_pdf
from traceapp.errors import InvalidInput

# The common 50 x 30 mm thermal sticker.
ROLL_LABEL_MM = (50.0, 30.0)


def sheet_pdf(
    session: Session,
    run_id: int,
    base_url: str,
    preset: str,
    start_position: int,
    cooperative_id: int | None = None,
    base_options: PrintOptions = DEFAULT_OPTIONS,
) -> tuple[bytes, int]:
    """The run's labels on sheets of `preset` stock from `start_position`; (PDF, pages).

    `base_options` carries the instance's fonts (Settings.print_options).
    """
    run = get_run(session, run_id, cooperative_id)
    try:
        layout = get_preset(preset)
        options = replace(base_options, start_position=start_position)
        options.check_against(layout)
    except LayoutError as exc:
        raise InvalidInput(
            str(exc),
            field="preset"
            if "preset" in str(exc).lower() or "stock" in str(exc).lower()
            else "start_position",
        ) from exc
    pdf = run_sheet_pdf(session, run, base_url, layout, options)
    return pdf, page_count(run.quantity, layout, start_position)


def single_label(
    session: Session,
    run_id: int,
    sequence: int,
    base_url: str,
    image_format: str,
    cooperative_id: int | None = None,
    base_options: PrintOptions = DEFAULT_OPTIONS,
) -> bytes:
    """One label of the run as PNG or SVG."""
    run = get_run(session, run_id, cooperative_id)
    if image_format not in ("png", "svg"):
        raise InvalidInput("format must be png or svg", field="format")
    label = next(run_labels(session, run, base_url, first=sequence, last=sequence))
    render = render_label_png if image_format == "png" else render_label_svg
    return render(label, font_path=base_options.font_path)


def roll_pdf(
    session: Session,
    run_id: int,
    base_url: str,
    cooperative_id: int | None = None,
    base_options: PrintOptions = DEFAULT_OPTIONS,
) -> bytes:
    """The run's labels for a thermal roll printer, one label per page."""
    run = get_run(session, run_id, cooperative_id)
    return render_roll_pdf(run_labels(session, run, base_url), *ROLL_LABEL_MM, base_options)
