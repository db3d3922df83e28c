"""The inspectors' app's words, from the same catalogues as the public page.

The app runs offline, so it gets every language at once as JSON (`messages`); the
verdict names and reasons are the public page's own (web/public/wording.py).
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from traceapp.web.public.languages import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES
from traceapp.web.public.wording import REASON_TEXTS, VERDICT_TITLES, reason_text, verdict_title

APP_TEXTS = {
    "app_name": _l("TraceApp inspection"),
    "app_intro": _l("Check certification labels and record inspections, even with no signal."),
    "check_heading": _l("Check a label"),
    "scan": _l("Scan with the camera"),
    "stop_scan": _l("Stop the camera"),
    "code_label": _l("Or paste or type a label code"),
    "check": _l("Check"),
    "data_as_of": _l("Data as of %(time)s"),
    "data_old": _l(
        "Warning: this data is %(days)s days old. Recalls and voided labels since then "
        "are missing: download the bundle again when you have signal."
    ),
    "no_bundle": _l("No bundle on this phone yet: download your province or commune below."),
    "bundle_heading": _l("Data for offline checks"),
    "bundle_download": _l("Download or update the data"),
    "region_label": _l("Province or commune"),
    "download": _l("Download"),
    "downloading": _l("Downloading…"),
    "bundle_saved": _l("Saved on this phone: %(region)s, %(batches)s batches."),
    "bundle_refused": _l("The bundle was refused: %(reason)s"),
    "need_signal": _l("This needs a network connection."),
    "token_refused": _l("The access token was refused: check it in the settings."),
    "token_missing": _l("First paste your access token in the settings below."),
    "settings_heading": _l("Settings"),
    "token_label": _l("Access token (create one in the console)"),
    "max_age_label": _l("Warn when the data is older than (days)"),
    "language_label": _l("Language"),
    "save": _l("Save"),
    "saved": _l("Saved."),
    "inspection_heading": _l("Record an inspection of this batch"),
    "result_label": _l("Result"),
    "result_passed": _l("Passed"),
    "result_failed": _l("Failed"),
    "result_observations": _l("Observations"),
    "place_label": _l("Place"),
    "notes_label": _l("Notes"),
    "photo_label": _l("Photo (optional)"),
    "record": _l("Save the inspection"),
    "recorded": _l("Saved on this phone. It will be sent when there is signal."),
    "queue_count": _l("Inspections waiting to be sent: %(count)s"),
    "send_now": _l("Send now"),
    "sent": _l("Sent: %(count)s"),
    "send_refused": _l("The server refused an inspection: %(reason)s"),
    "online": _l("Online"),
    "offline": _l("Offline"),
    "camera_failed": _l("The camera cannot be opened: %(reason)s"),
    "product": _l("Product"),
    "cooperative": _l("Cooperative"),
    "lot": _l("Lot"),
    "serial": _l("Serial"),
    "certifications": _l("Certifications"),
    "recall_reason": _l("Reason for the recall"),
    "verdict_not_in_bundle": _l("Not in this bundle"),
    "reason_not_in_bundle": _l(
        "The signature is right, but this bundle says nothing about the batch: "
        "download the bundle of its province."
    ),
}


def messages() -> dict[str, object]:
    """Every text of the app in every language: {"vi": {key: text}, ..., "default": "vi"}."""
    document: dict[str, object] = {"default": DEFAULT_LANGUAGE, "languages": LANGUAGE_NAMES}
    for language in LANGUAGES:
        with force_locale(language):
            texts = {key: str(text) for key, text in APP_TEXTS.items()}
            texts.update({f"verdict_{k}": verdict_title(k, language) for k in VERDICT_TITLES})
            texts.update({f"reason_{k}": reason_text(k, language) for k in REASON_TEXTS})
        document[language] = texts
    return document
