-- migrate:up
-- People who own calendars. Every wall-clock rule in the app (work hours, energy
-- windows, "not before 9 am") is read in the user's own time zone.
CREATE TABLE users (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email        citext      NOT NULL,
    display_name text,
    timezone     text        NOT NULL DEFAULT 'UTC',  -- IANA name, e.g. 'Europe/Berlin'
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_timezone_not_blank CHECK (btrim(timezone) <> '')
);

-- One trigger function for every table that carries an updated_at column, so
-- application code never has to remember to set it.
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_users_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- migrate:down
DROP TABLE users;
DROP FUNCTION set_updated_at();

-- migrate:verify
-- Two spellings of one address must collide.
DO $$
BEGIN
    INSERT INTO users (email) VALUES ('verify-0002@example.invalid');
    BEGIN
        INSERT INTO users (email) VALUES ('Verify-0002@Example.INVALID');
        RAISE EXCEPTION 'users.email accepted the same address twice';
    EXCEPTION WHEN unique_violation THEN
        NULL;  -- expected
    END;
END
$$;
