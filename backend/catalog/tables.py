"""Manufacturers, products, packaging identifiers, suppliers, licences and supplier terms."""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Real,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Manufacturer(Table, tablename="manufacturer"):
    name = Varchar(length=200, unique=True)
    name_en = Varchar(length=200, null=True, default=None)
    country = Varchar(length=2, null=True, default=None, help_text="ISO 3166-1 alpha-2")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Product(Table, tablename="product"):
    """A catalogued device (医疗器械). Quantities of it are integers in `base_unit`."""

    id: Serial  # added by Piccolo; declared for the type checker
    code = Varchar(length=40, unique=True, help_text="Internal item code")
    name = Varchar(length=200, index=True, help_text="Name in Chinese, as registered")
    name_en = Varchar(length=200, null=True, default=None)
    model = Varchar(length=200, index=True, help_text="规格型号, shown beside every name")
    category = Varchar(length=40, index=True, help_text="Device family; expiry levels key on it")
    risk_class = Varchar(length=3, help_text="I, II or III")
    tracking = Varchar(length=10, help_text="none, lot, serial or lot_serial")
    base_unit = Varchar(length=20, default="each")
    shelf_life_days = Integer(null=True, default=None)
    min_remaining_shelf_life_days = Integer(
        default=0, help_text="Shortest remaining shelf life accepted on receipt"
    )
    storage_temp_min = Real(null=True, default=None, help_text="°C")
    storage_temp_max = Real(null=True, default=None, help_text="°C")
    cold_chain = Boolean(default=False)
    implant = Boolean(default=False, help_text="Records of implants are kept forever")
    registration_no = Varchar(length=100, null=True, default=None, help_text="注册证/备案凭证编号")
    registration_valid_until = Date(null=True, default=None)
    registrant = Varchar(length=200, null=True, default=None, help_text="注册人/备案人")
    manufacturer = ForeignKey(
        Manufacturer, null=True, default=None, on_delete=OnDelete.restrict, index=True
    )
    allocation = Varchar(length=4, default="fefo", help_text="fefo or fifo")
    unit_cost = BigInt(default=0, help_text="Minor units (分) per base unit")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Packaging(Table, tablename="packaging"):
    """One packaging level of a product and the device identifier printed on it."""

    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    level = Varchar(length=20, help_text="each, box, case, pallet")
    quantity = Integer(help_text="Base units in one of this level")
    agency = Varchar(length=6, help_text="GS1, HIBC or MA")
    di = Varchar(length=60, index=True, help_text="GS1: 14-digit GTIN; HIBC: LIC+PCN+U/M; MA: DI")
    original = Varchar(length=60, help_text="As printed, e.g. a 13-digit GTIN")
    active = Boolean(default=True)

    # Unique (agency, di): unique index in migrations/ (SQLite adds no constraints)


class Supplier(Table, tablename="supplier"):
    code = Varchar(length=30, unique=True)
    name = Varchar(length=200, index=True)
    contact = Varchar(length=100, null=True, default=None)
    phone = Varchar(length=40, null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class SupplierLicence(Table, tablename="supplier_licence"):
    """A qualification document: 营业执照, 医疗器械经营许可证, 第二类经营备案凭证."""

    supplier = ForeignKey(Supplier, null=False, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=30, help_text="business_licence, operating_licence or filing")
    number = Varchar(length=100)
    valid_until = Date(null=True, default=None, help_text="Empty: no end date")
    active = Boolean(default=True)


class SupplierProduct(Table, tablename="supplier_product"):
    supplier = ForeignKey(Supplier, null=False, on_delete=OnDelete.restrict, index=True)
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    lead_time_days = Integer()
    moq = Integer(default=1, help_text="Minimum order quantity, base units")
    pack_size = Integer(default=1, help_text="Orders are multiples of this, base units")
    price = BigInt(help_text="Minor units (分) per base unit")
    priority = Varchar(length=10, default="primary", help_text="primary or backup")
    active = Boolean(default=True)

    # Unique (supplier, product): unique index in migrations/ (SQLite adds no constraints)
