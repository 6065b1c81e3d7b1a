-- migrate:up
-- When in the week a user does their best work. The rebalancer multiplies a
-- move's priority by the multiplier of the window its target falls in.
CREATE TABLE user_energy_windows (
    id         uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    iso_dow    smallint     NOT NULL,  -- 1 = Monday … 7 = Sunday
    starts     time         NOT NULL,
    ends       time         NOT NULL,
    multiplier numeric(4,2) NOT NULL DEFAULT 1.00,
    CONSTRAINT user_energy_windows_dow_range CHECK (iso_dow BETWEEN 1 AND 7),
    CONSTRAINT user_energy_windows_time_order CHECK (ends > starts),
    CONSTRAINT user_energy_windows_multiplier_range CHECK (multiplier BETWEEN 0.25 AND 4.00)
);

CREATE INDEX idx_user_energy_windows_user_dow
    ON user_energy_windows (user_id, iso_dow, starts);

-- migrate:down
DROP TABLE user_energy_windows;
