"""A role named before the folder's own CREATE ROLE of it: that CREATE fails
if the role is there before, so where it runs the role was not there, and the
earlier use fails (42704). Roles the folder never makes are the server's, and
left to --dsn. Check must say an error exactly when the server refuses."""

from __future__ import annotations

import uuid

import psycopg
import pytest

pytestmark = pytest.mark.db


def test_a_grant_before_the_create_role_of_its_grantee(write_migrations, analysis_of, pg_dsn):
    role = f"r_{uuid.uuid4().hex[:10]}"  # roles are the cluster's: one of this test's own
    up = f"CREATE TABLE t (id int);\nGRANT SELECT ON t TO {role};\nCREATE ROLE {role};\n"
    root = write_migrations({"001_a.sql": f"-- migrate:up\n{up}-- migrate:down\nSELECT 1;\n"})
    [error] = [p for p in analysis_of(root).problems if str(p.severity) == "error"]
    assert (error.kind, error.line, error.object) == ("missing_prerequisite", 3, f"role {role}")
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.UndefinedObject), conn.transaction():
            conn.execute(up)
        # made first, the same grant runs
        conn.execute(f"CREATE ROLE {role}")
        try:
            conn.execute(f"CREATE TABLE t (id int); GRANT SELECT ON t TO {role}")
        finally:
            conn.execute(f"DROP TABLE IF EXISTS t; DROP ROLE {role}")
    fixed = f"CREATE ROLE {role};\nCREATE TABLE t (id int);\nGRANT SELECT ON t TO {role};\n"
    (root / "001_a.sql").write_text(f"-- migrate:up\n{fixed}-- migrate:down\nSELECT 1;\n")
    assert [p for p in analysis_of(root).problems if str(p.severity) == "error"] == []
