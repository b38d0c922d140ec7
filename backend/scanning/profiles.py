"""Named scanner profiles: how a scanner model or setup sends its data (terminator, GS stand-in).

A request names one of these, or gives its own inline. The names of the device bridge's sample
configuration (``tilde-gs``, ``angle-gs``) mean the same here. Scans forwarded by the bridge
already have GS restored and the terminator removed, so applying the profile again changes
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from backend.scanning.decoding import ScannerProfile

PROFILES: Final[Mapping[str, ScannerProfile]] = MappingProxyType(
    {
        "default": ScannerProfile(),
        "cr": ScannerProfile(terminator="\r"),
        "lf": ScannerProfile(terminator="\n"),
        "crlf": ScannerProfile(terminator="\r\n"),
        "tab": ScannerProfile(terminator="\t"),
        "tilde-gs": ScannerProfile(gs_standin="~"),
        "angle-gs": ScannerProfile(gs_standin="<GS>"),
        "brace-gs": ScannerProfile(gs_standin="{GS}"),
        "caret-gs": ScannerProfile(gs_standin="^]"),
        "cr-tilde-gs": ScannerProfile(terminator="\r", gs_standin="~"),
        "cr-angle-gs": ScannerProfile(terminator="\r", gs_standin="<GS>"),
    }
)
