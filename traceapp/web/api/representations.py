"""How domain records look in the API's JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for

from keys.codes import label_uri
from traceapp.domain.print_jobs import job_refusal, pages
from traceapp.models import (
    Batch,
    Certification,
    Inspection,
    IssuanceRun,
    Label,
    Partner,
    PrintJob,
    PrintJobStatus,
)


def _when(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        return moment.isoformat() + "Z"
    return moment.isoformat()


def batch_json(batch: Batch) -> dict[str, Any]:
    return {
        "id": batch.id,
        "cooperative_id": batch.cooperative_id,
        "cooperative": batch.cooperative.name,
        "product_id": batch.product_id,
        "product": batch.product.name,
        "gtin": batch.product.gtin,
        "lot_code": batch.lot_code,
        "quantity": batch.quantity,
        "unit": batch.unit,
        "labels_issued": batch.labels_issued,
        "produced_on": batch.produced_on.isoformat(),
        "best_before": batch.best_before.isoformat() if batch.best_before else None,
        "origin_farm": batch.origin_farm,
        "origin_commune": batch.origin_commune,
        "origin_province": batch.origin_province,
        "description": batch.description,
        "status": batch.status,
        "recalled_at": _when(batch.recalled_at),
        "recall_reason": batch.recall_reason,
        "created_at": _when(batch.created_at),
    }


def certification_json(certification: Certification) -> dict[str, Any]:
    return {
        "id": certification.id,
        "batch_id": certification.batch_id,
        "cooperative_id": certification.cooperative_id,
        "scheme": certification.scheme,
        "ocop_stars": certification.ocop_stars,
        "certificate_number": certification.certificate_number,
        "issuing_body": certification.issuing_body,
        "valid_from": certification.valid_from.isoformat(),
        "valid_to": certification.valid_to.isoformat(),
        "claim": certification.claim,
        "evidence_ref": certification.evidence_ref,
        "created_at": _when(certification.created_at),
    }


def run_json(run: IssuanceRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "batch_id": run.batch_id,
        "quantity": run.quantity,
        "key_id": run.key_id,
        "requested_by": run.requested_by,
        "created_at": _when(run.created_at),
        "label_language": run.label_language,
        "labels_url": url_for("api.labels", run_id=run.id),
        "print_jobs_url": url_for("api.print_job_new", run_id=run.id),
    }


def print_job_json(job: PrintJob) -> dict[str, Any]:
    done = job.status == PrintJobStatus.DONE
    return {
        "id": job.id,
        "run_id": job.run_id,
        "batch_id": job.batch_id,
        "kind": job.kind,
        "status": job.status,
        "labels_done": job.labels_done,
        "labels_total": job.labels_total,
        "progress": round(job.labels_done / job.labels_total, 4),
        "parameters": job.parameters,
        "requested_by": job.requested_by,
        "created_at": _when(job.created_at),
        "started_at": _when(job.started_at),
        "finished_at": _when(job.finished_at),
        "error": refusal.detail if (refusal := job_refusal(job)) else None,
        "pages": pages(job) if done else None,
        "file_url": url_for("api.print_job_file", job_id=job.id) if done else None,
    }


def label_json(label: Label, batch: Batch, base_url: str) -> dict[str, Any]:
    product = batch.product
    return {
        "sequence": label.sequence,
        "serial": label.serial,
        "code": label_uri(
            base_url,
            gtin=product.gtin,
            product_ref=product.code_ref,
            lot=batch.lot_code,
            serial=label.serial,
            signature_field=label.signature,
        ),
        "status": label.status,
        "voided_at": _when(label.voided_at),
        "void_reason": label.void_reason,
    }


def inspection_json(inspection: Inspection) -> dict[str, Any]:
    return {
        "id": inspection.id,
        "batch_id": inspection.batch_id,
        "inspected_on": inspection.inspected_on.isoformat(),
        "place": inspection.place,
        "result": inspection.result,
        "notes": inspection.notes,
        "photo_ref": inspection.photo_ref,
        "client_id": inspection.client_id,
        "has_photo": inspection.photo is not None,
        "created_at": _when(inspection.created_at),
    }


def partner_json(partner: Partner) -> dict[str, Any]:
    return {
        "id": partner.id,
        "name": partner.name,
        "role": partner.role,
        "gln": partner.gln,
        "address": partner.address,
        "province": partner.province,
    }
