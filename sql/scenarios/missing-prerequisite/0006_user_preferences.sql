-- migrate:up
-- One row per user; absent means "defaults", so reads use LEFT JOIN + coalesce.
CREATE TABLE user_preferences (
    user_id           uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    workday_start     time        NOT NULL DEFAULT '09:00',
    workday_end       time        NOT NULL DEFAULT '18:00',
    max_daily_minutes integer     NOT NULL DEFAULT 480,
    -- Free-form scheduling hints from onboarding, e.g. {"morning_person": true}.
    hints             jsonb       NOT NULL DEFAULT '{}',
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_preferences_workday_order CHECK (workday_end > workday_start),
    CONSTRAINT user_preferences_max_daily_minutes_range
        CHECK (max_daily_minutes BETWEEN 30 AND 960)
);

CREATE TRIGGER trg_user_preferences_updated_at
    BEFORE UPDATE ON user_preferences
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- migrate:down
DROP TABLE user_preferences;
