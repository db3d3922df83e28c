"""All models, importable from one place so Alembic sees every table."""

from traceapp.models.accounts import ApiToken, Role, User
from traceapp.models.audit import AuditCheckpoint, AuditEntry, AuditState, LabelWrite
from traceapp.models.batches import Batch, BatchStatus
from traceapp.models.certifications import Certification, CertificationScheme
from traceapp.models.inspections import Inspection, InspectionResult
from traceapp.models.labels import IssuanceRun, Label, LabelStatus
from traceapp.models.organisations import Cooperative, Union
from traceapp.models.print_jobs import PrintJob, PrintJobKind, PrintJobStatus
from traceapp.models.product_images import ProductImage
from traceapp.models.products import Product, ProductCategory
from traceapp.models.reports import LabelReport
from traceapp.models.scans import (
    BatchScanTotal,
    LabelScanClient,
    LabelScanTotal,
    Scan,
    ScanDay,
    ScanRollup,
)
from traceapp.models.value_chain import (
    ChainEvent,
    ChainEventBatch,
    EventLinkRole,
    Partner,
    PartnerRole,
)
from traceapp.models.where_to_buy import WhereToBuyKind, WhereToBuyLink

__all__ = [
    "ApiToken",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditState",
    "Batch",
    "BatchScanTotal",
    "BatchStatus",
    "Certification",
    "CertificationScheme",
    "ChainEvent",
    "ChainEventBatch",
    "Cooperative",
    "EventLinkRole",
    "Inspection",
    "InspectionResult",
    "IssuanceRun",
    "Label",
    "LabelReport",
    "LabelScanClient",
    "LabelScanTotal",
    "LabelStatus",
    "LabelWrite",
    "Partner",
    "PartnerRole",
    "PrintJob",
    "PrintJobKind",
    "PrintJobStatus",
    "Product",
    "ProductCategory",
    "ProductImage",
    "Role",
    "Scan",
    "ScanDay",
    "ScanRollup",
    "Union",
    "User",
    "WhereToBuyKind",
    "WhereToBuyLink",
]
