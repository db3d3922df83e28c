"""All models, importable from one place so Alembic sees every table."""

from traceapp.models.accounts import ROLES, ApiToken, User
from traceapp.models.audit import AuditCheckpoint, AuditEntry
from traceapp.models.batches import BATCH_STATUSES, Batch
from traceapp.models.certifications import CERTIFICATION_SCHEMES, Certification
from traceapp.models.inspections import INSPECTION_RESULTS, Inspection
from traceapp.models.labels import IssuanceRun, Label
from traceapp.models.organisations import Cooperative, Union
from traceapp.models.print_jobs import PrintJob, PrintJobKind, PrintJobStatus
from traceapp.models.products import PRODUCT_CATEGORIES, Product
from traceapp.models.scans import Scan
from traceapp.models.value_chain import ChainEvent, ChainEventBatch, Partner

__all__ = [
    "ApiToken",
    "AuditCheckpoint",
    "AuditEntry",
    "Batch",
    "BATCH_STATUSES",
    "Certification",
    "CERTIFICATION_SCHEMES",
    "ChainEvent",
    "ChainEventBatch",
    "Cooperative",
    "INSPECTION_RESULTS",
    "Inspection",
    "IssuanceRun",
    "Label",
    "Partner",
    "PrintJob",
    "PrintJobKind",
    "PrintJobStatus",
    "PRODUCT_CATEGORIES",
    "Product",
    "ROLES",
    "Scan",
    "Union",
    "User",
]
