"""Single labels a cooperative downloads at once (sheets and rolls are print jobs)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from labels import DEFAULT_OPTIONS, PrintOptions, render_label_png, render_label_svg
from traceapp.domain.printing import get_run, run_labels
from traceapp.errors import InvalidInput


def single_label(
    session: Session,
    run_id: int,
    sequence: int,
    base_url: str,
    image_format: str,
    cooperative_id: int | None = None,
    base_options: PrintOptions = DEFAULT_OPTIONS,
) -> bytes:
    """One label of the run as PNG or SVG (`base_options` carries the instance's fonts)."""
    run = get_run(session, run_id, cooperative_id)
    if image_format not in ("png", "svg"):
        raise InvalidInput("format must be png or svg", field="format")
    label = next(run_labels(session, run, base_url, first=sequence, last=sequence))
    render = render_label_png if image_format == "png" else render_label_svg
    return render(label, font_path=base_options.font_path)
