"""Principal reasons for adverse decisions (Regulation B, CFPB Circular 2022-03), with reason-code mappings."""

from explicable.reasons._errors import UnstableRankingError
from explicable.reasons._grouping import merge_groups, prefix_groups
from explicable.reasons._mapping import ReasonCode, ReasonCodes, default_statement, load_reason_codes
from explicable.reasons._principal import Reason, ReasonList, reasons

__all__ = [
    "Reason",
    "ReasonCode",
    "ReasonCodes",
    "ReasonList",
    "UnstableRankingError",
    "default_statement",
    "load_reason_codes",
    "merge_groups",
    "prefix_groups",
    "reasons",
]
