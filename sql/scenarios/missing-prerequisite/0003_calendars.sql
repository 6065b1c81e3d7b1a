-- migrate:up
-- A user's calendars: the ones synced from a provider and the local one the app
-- writes study blocks into.
CREATE TABLE calendars (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider    text        NOT NULL,
    external_id text,                     -- the provider's id; NULL for local calendars
    name        text        NOT NULL,
    color       text,                     -- '#rrggbb' as the provider reports it
    is_primary  boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calendars_provider_check
        CHECK (provider IN ('google', 'outlook', 'ical', 'local')),
    CONSTRAINT calendars_external_id_required
        CHECK (provider = 'local' OR external_id IS NOT NULL),
    CONSTRAINT calendars_provider_external_key UNIQUE (user_id, provider, external_id)
);

-- At most one primary calendar per user; new events land there by default.
CREATE UNIQUE INDEX calendars_one_primary_per_user
    ON calendars (user_id)
    WHERE is_primary;

-- migrate:down
DROP TABLE calendars;
