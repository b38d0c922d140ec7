"""Devices, their packaging identifiers, manufacturers, suppliers and supplier qualifications."""
