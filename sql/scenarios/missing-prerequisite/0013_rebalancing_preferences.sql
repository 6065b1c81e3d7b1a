-- migrate:up
-- Rebalancing is opt-in, and users choose how far ahead it may reshuffle.
ALTER TABLE user_preferences
    ADD COLUMN rebalancing_enabled    boolean  NOT NULL DEFAULT false,
    ADD COLUMN rebalance_horizon_days smallint NOT NULL DEFAULT 7,
    ADD CONSTRAINT user_preferences_rebalance_horizon_range
        CHECK (rebalance_horizon_days BETWEEN 1 AND 28);

-- migrate:down
ALTER TABLE user_preferences
    DROP CONSTRAINT user_preferences_rebalance_horizon_range,
    DROP COLUMN rebalance_horizon_days,
    DROP COLUMN rebalancing_enabled;
