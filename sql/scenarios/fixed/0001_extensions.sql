-- migrate:up
-- Extensions the schema relies on. gen_random_uuid() is built into PostgreSQL 13+,
-- so pgcrypto is not needed; citext gives us case-insensitive email addresses.
CREATE EXTENSION IF NOT EXISTS citext;

-- migrate:down
DROP EXTENSION IF EXISTS citext;

-- migrate:verify
-- citext must compare case-insensitively, or users.email uniqueness means nothing.
DO $$
BEGIN
    IF NOT ('Ada@Example.com'::citext = 'ada@example.com'::citext) THEN
        RAISE EXCEPTION 'citext does not compare case-insensitively';
    END IF;
END
$$;
