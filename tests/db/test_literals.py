"""Which quoted literals PostgreSQL reads as integers, booleans and uuids:
`core.literals` against the server, sample by sample (hand-picked edges, and
random strings of the characters those types are written with)."""

from __future__ import annotations

import random

import psycopg
import pytest

from migtui.core.literals import refused

pytestmark = pytest.mark.db

EDGES = {
    "int4": [
        "1", " 1 ", "-1", "+1", "1_000", "1__000", "_1", "1_", "0x1F", "0x_1", "0o17", "0o8",
        "0b101", "0b2", "1e3", "1.0", "abc", "NULL", "", " ", "2147483647", "2147483648",
        "-2147483648", "-2147483649", "00012", "- 1", "1 2", "\t7\n", "0x80000000", "１",
    ],
    "int2": ["32767", "32768", "-32768", "-32769", "0x7fff"],
    "int8": ["9223372036854775807", "9223372036854775808", "-9223372036854775808"],
    "bool": [
        "t", "tr", "true", "f", "false", "y", "ye", "yes", "n", "no", "on", "of", "off", "o",
        "1", "0", " true ", "TRUE", "2", "", "nope", "truee", "\tt", "N", "\xa0t",
    ],
    "uuid": [
        "00000000-0000-0000-0000-000000000001", "{00000000-0000-0000-0000-000000000001}",
        "0000000000000000000000000000000A", "0000-0000-0000-0000-0000-0000-0000-0001",
        "00000000-0000-0000-0000-00000000000", "uuid_generate_v4()", "gen_random_uuid()", "",
        "{00000000000000000000000000000001", "00000000000000000000000000000001-",
        " 00000000-0000-0000-0000-000000000001", "00000000--0000-0000-0000-000000000001",
    ],
}  # fmt: skip

ALPHABETS = {
    "int4": "0123456789_xXoObB+- \tafAF",
    "int2": "0123456789_x+- ",
    "int8": "0123456789_+-",
    "bool": "tTrRuUeEfFaAlLsSyYnNoO01 ",
    "uuid": "0123456789abcdefABCDEF-{}",
}


def _random_samples(kind: str, count: int = 300) -> list[str]:
    pick = random.Random(kind)
    alphabet = ALPHABETS[kind]
    longest = 40 if kind == "uuid" else 12
    return ["".join(pick.choices(alphabet, k=pick.randint(0, longest))) for _ in range(count)]


@pytest.mark.parametrize("kind", sorted(EDGES))
def test_a_literal_is_read_exactly_when_the_server_reads_it(kind, pg_conn):
    wrong = []
    for text in EDGES[kind] + _random_samples(kind):
        try:
            pg_conn.execute(f"SELECT %s::{kind}", (text,))
            server = ""
        except psycopg.Error as exc:
            server = exc.sqlstate
        if refused(kind, text) != server:
            wrong.append(f"{text!r}: the server says {server!r}, literals {refused(kind, text)!r}")
    assert wrong == []
