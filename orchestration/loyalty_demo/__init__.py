"""Demo data generator: a synthetic company's landing exports (CRM, survey, finance,
governance) with planted cause and effect, written in the landing contract's layout.

It imports only ``loyalty_warehouse.contract`` from the pipeline; the pipeline never imports
it, so the demo files take exactly the path a company's real exports take.
"""

from .generator import generate
from .validate import ContractError, validate_dir

__all__ = ["generate", "validate_dir", "ContractError"]
