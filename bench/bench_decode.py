"""Decode throughput on one core: scans per second over a mixed GS1/HIBC/MA/Digital Link set.

Run: ``uv run python bench/bench_decode.py [seconds]``. Two figures are printed:

* **realistic**: a catalogue of 300 GTINs with 3 lots each (lot, expiry and production date
  fixed per lot); every GS1 DataMatrix, Digital Link, HIBC and MA scan carries a new serial,
  as when a receiving clerk scans unit after unit. The GS1 decoder's per-element cache of
  biip results helps here, as it does in a warehouse.
* **cold**: every GTIN, lot, date and serial is new, so no cache can help (worst case).

Mix: 1/3 GS1 DataMatrix, 1/6 HIBC, 1/6 MA, 1/6 Digital Link, 1/12 GS1-128, 1/12 EAN-13.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

from backend.scanning.decoding import decode
from backend.scanning.decoding.checks import gs1_check_digit, mod43_check

GS = "\x1d"
TODAY = dt.date(2026, 11, 21)


def _gtin(rng: random.Random) -> str:
    body = "0" + "".join(rng.choice("0123456789") for _ in range(12))
    return body + str(gs1_check_digit(body))


def _alnum(rng: random.Random, size: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(size))


def _date(rng: random.Random, first_day: int = 0) -> str:
    """YYMMDD; day 00 (last day of the month) allowed unless ``first_day`` says otherwise."""
    return f"{rng.randint(26, 35):02d}{rng.randint(1, 12):02d}{rng.randint(first_day, 28):02d}"


class _Catalogue:
    """Products and lots that come back scan after scan (``None``: everything new)."""

    def __init__(self, rng: random.Random, products: int | None) -> None:
        self.rng = rng
        self.lots = (
            [(_gtin(rng), _alnum(rng, 6), _date(rng), _date(rng, 1)) for _ in range(products * 3)]
            if products
            else None
        )

    def pick(self) -> tuple[str, str, str, str]:
        if self.lots is None:
            rng = self.rng
            return _gtin(rng), _alnum(rng, 6), _date(rng), _date(rng, 1)
        return self.rng.choice(self.lots)


def scans(count: int, seed: int = 7, products: int | None = 300) -> list[str]:
    rng = random.Random(seed)
    catalogue = _Catalogue(rng, products)
    out: list[str] = []
    for i in range(count):
        gtin, lot, expiry, made = catalogue.pick()
        kind = i % 6
        if kind in (0, 1):  # GS1 DataMatrix: the common case, a third of all scans
            out.append(f"]d201{gtin}17{expiry}10{lot}{GS}21{_alnum(rng, 8)}")
        elif kind == 2:  # HIBC concatenated
            body = f"+A999{gtin[7:13]}1/$$3{expiry[:4]}15{lot}/S{_alnum(rng, 6)}"
            out.append(body + mod43_check(body))
        elif kind == 3:  # China MA code
            out.append(
                f"MA.156.M0.100761.2{gtin[7:13]}1.S{_alnum(rng, 6)}"
                f".M{made}.L{lot}.E{expiry[:4]}15.C3"
            )
        elif kind == 4:  # GS1 Digital Link in a plain QR code
            out.append(f"]Q1https://id.gs1.org/01/{gtin}/10/{lot}/21/{_alnum(rng, 6)}?17={expiry}")
        else:  # GS1-128 without serial, and a bare EAN-13 now and then
            if rng.random() < 0.5:
                out.append(f"]C101{gtin}11{made}17{expiry}10{lot}")
            else:
                out.append(f"]E0{gtin[1:]}")
    return out


def measure(data: list[str], seconds: float) -> tuple[int, float, float]:
    """Decode the set until ``seconds`` of CPU time have passed; (count, cpu s, wall s)."""
    decoded = 0
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    while True:
        for raw in data:
            decode(raw, today=TODAY)
        decoded += len(data)
        cpu = time.process_time() - cpu_start
        if cpu >= seconds:
            return decoded, cpu, time.perf_counter() - wall_start


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    print("one process, one thread (the figure per CPU second is the one-core figure; wall-clock")
    print("rate in brackets, lower when other work shares the machine)")
    for label, products in (("realistic", 300), ("cold", None)):
        data = scans(120_000 if products is None else 30_000, products=products)
        decode(data[0], today=TODAY)  # imports, regex compilation
        count, cpu, wall = measure(data, seconds if products else 0.0)
        print(
            f"{label:>9}: {count:,} mixed scans, {cpu:.2f} s CPU = {count / cpu:,.0f} scans/s"
            f"  ({count / wall:,.0f} scans/s wall)"
        )


if __name__ == "__main__":
    main()
