"""Audit entries and electronic signatures: append-only; the application never updates them."""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, BigSerial, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entry"):
    """Who did what to which record, when, with old and new values; hash-chained.

    An entry is written unsealed (``seq``, ``prev_hash`` and ``hash`` empty) in its change's
    transaction, without any lock; the sealer (backend/audit/chain.py) later gives committed
    entries their chain position and hashes, in id order. Unique ``seq`` and the index of
    unsealed entries: in migrations/."""

    id = BigSerial(primary_key=True)
    at = Timestamptz(help_text="When the change was committed (UTC)")
    actor_id = Integer(null=True, default=None, help_text="The user; empty for the system")
    actor_name = Varchar(length=150, help_text="Login name at the time, kept if the user changes")
    action = Varchar(length=60, help_text="e.g. create, update, retire, login, release")
    entity = Varchar(length=60, index=True, help_text="The record's kind, e.g. product")
    entity_id = Varchar(length=60, index=True, help_text="The record's id as text")
    old = JSON(null=True, default=None, help_text="Changed fields before; empty on create")
    new = JSON(null=True, default=None, help_text="Changed fields after; empty on delete")
    reason = Text(null=True, default=None)
    seq = BigInt(
        null=True, default=None, help_text="Position in the hash chain; empty until sealed"
    )
    prev_hash = Varchar(
        length=64, null=True, default=None, help_text="The hash of the entry sealed before it"
    )
    hash = Varchar(length=64, unique=True, null=True, default=None)


class Signature(Table, tablename="signature"):
    """An electronic signature linked for good to the signed record (21 CFR 11.50/11.70)."""

    id = BigSerial(primary_key=True)
    user_id = Integer(help_text="Who signed")
    printed_name = Varchar(length=150, help_text="The signer's full name as shown and printed")
    meaning = Varchar(length=30, help_text="released, rejected, approved, reviewed, ...")
    signed_at = Timestamptz()
    entity = Varchar(length=60, index=True)
    entity_id = Varchar(length=60, index=True)
    record_hash = Varchar(length=64, help_text="SHA-256 of the signed record's canonical JSON")
    audit_entry_id = BigInt(help_text="The audit entry that records the signing")
