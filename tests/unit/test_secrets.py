"""No password is ever shown: however a DSN is mistyped, and however a
password is spelled, and not when another session's query sets one."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from migtui.cli import main
from migtui.config import redact_dsn, scrub_secrets

MISTYPED = [
    "postgresql:/u:secret@h/db",
    "postgresql//u:secret@h/db",
    "u:secret@h/db",
    " postgresql://u:secret@h/db",
    "postgresql://u:secret@h:5432/db?sslmode=require",
    "postgres://u:secret@[::1]:5432/db",
]
ODD_PASSWORDS = ["se?cret", "se#cret", "se/cret", "se@cret", "s:e@c/r?e#t"]


@pytest.mark.parametrize("dsn", MISTYPED)
def test_a_mistyped_dsn_never_shows_its_password(dsn):
    shown = redact_dsn(dsn)
    assert "secret" not in shown and "***" in shown


@pytest.mark.parametrize("password", ODD_PASSWORDS)
def test_a_password_with_url_characters_is_hidden_whole(password):
    shown = redact_dsn(f"postgresql://u:{password}@host/db")
    assert shown == "postgresql://u:***@host/db"


def test_key_value_and_query_passwords_are_hidden_and_other_dsns_untouched():
    assert redact_dsn("host=h password=secret user=u") == "host=h password=*** user=u"
    assert "secret" not in redact_dsn("postgresql:///db?host=/tmp&password=secret")
    assert redact_dsn("postgresql://user@host/db") == "postgresql://user@host/db"
    embedded = "postgresql://postgres:@/migtui?host=/home/u/.local/share/migtui/postgres"
    assert redact_dsn(embedded) == embedded


def test_a_quoted_query_that_sets_a_password_is_scrubbed():
    query = "ALTER ROLE app PASSWORD 'hunter2' VALID UNTIL 'infinity'"
    assert scrub_secrets(query) == "ALTER ROLE app PASSWORD '***' VALID UNTIL 'infinity'"
    assert "hunter2" not in scrub_secrets("CREATE ROLE x LOGIN PASSWORD 'it''s hunter2'")


@pytest.mark.parametrize("dsn", [*MISTYPED, "postgresql://u:se@cret@127.0.0.1:1/x"])
def test_the_cli_never_prints_a_mistyped_dsns_password(dsn, tmp_path):
    result = CliRunner().invoke(main, ["status", "--dsn", dsn, "--dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "secret" not in result.output and "cret" not in result.output


def test_saved_run_output_is_readable_by_its_owner_only(tmp_path):
    import stat

    from migtui.tui.widgets.live_output import LiveOutput

    output = LiveOutput()
    folder = tmp_path / "history" / "staging"
    saved = output.save(folder, "run")
    for path in (saved, saved.with_suffix(".ndjson")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for made in (folder, folder.parent):
        assert stat.S_IMODE(made.stat().st_mode) == 0o700


from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SPECIALS = "@:/?#&=%' \\\"!$;"
_passwords = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126) | st.sampled_from(_SPECIALS),
    min_size=6,
    max_size=24,
).filter(lambda pw: pw.strip() == pw and "secret" not in pw)
_schemes = st.sampled_from(
    ["postgresql://", "postgres://", "postgresql:/", "postgresql//", "", " postgresql://"]
)


@settings(max_examples=1500, deadline=None)
@given(scheme=_schemes, password=_passwords, user=st.sampled_from(["ops", "app_rw", "u"]))
def test_no_generated_url_dsn_shows_its_password(scheme, password, user):
    dsn = f"{scheme}{user}:{password}@db.internal:5432/app?sslmode=require"
    # a password that is also part of the rest ("requir") shows there, redacted or not
    assume(password not in dsn.replace(f":{password}@", ":@"))
    assert password not in redact_dsn(dsn)


@settings(max_examples=600, deadline=None)
@given(password=_passwords.filter(lambda pw: "'" not in pw and " " not in pw and "\\\\" not in pw))
def test_no_generated_key_value_dsn_shows_its_password(password):
    dsn = f"host=db.internal user=ops password={password} dbname=app"
    # a password that is also part of the rest (the key "password" itself) shows there
    assume(password not in dsn.replace(f"={password} ", "= "))
    assert password not in redact_dsn(dsn)
    quoted = f"host=db.internal password='{password}' dbname=app"
    assert password not in redact_dsn(quoted)


def test_the_analysis_cache_is_private(tmp_path, monkeypatch):
    import stat

    from migtui.core.graph import analyze_dir

    monkeypatch.setenv("MIGTUI_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0001_a.sql").write_text("CREATE TABLE a (id int);\n")
    analyze_dir(folder, cache=True)
    cache = tmp_path / "cache"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    for kept in cache.iterdir():
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_a_password_starting_with_a_slash_is_not_read_as_a_scheme():
    # "ops:/0000:@host": the user ops, the password /0000: (ops is no URI scheme)
    assert redact_dsn("ops:/0000:@db.internal:5432/app") == "ops:***@db.internal:5432/app"
