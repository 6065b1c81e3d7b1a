-- migrate:up
-- How full each user's week is, for the "you are overbooked" banner.
-- Five statements; the third one fails on Noor's fully booked week, so none of
-- this migration's changes survive while 0001 and 0002 stay applied.
CREATE TABLE weekly_load (
    user_id      uuid    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    week_start   date    NOT NULL,
    busy_minutes integer NOT NULL,
    free_minutes integer NOT NULL,  -- out of a 40-hour working week
    busy_ratio   numeric(8,3),
    PRIMARY KEY (user_id, week_start)
);

INSERT INTO weekly_load (user_id, week_start, busy_minutes, free_minutes)
SELECT user_id,
       date_trunc('week', start_at)::date,
       sum(extract(epoch FROM end_at - start_at) / 60)::integer,
       2400 - sum(extract(epoch FROM end_at - start_at) / 60)::integer
FROM calendar_events_new
GROUP BY user_id, date_trunc('week', start_at)::date;

-- Bug: Noor's free_minutes is 0, so the next line fails with division by zero (SQLSTATE 22012).
UPDATE weekly_load SET busy_ratio = busy_minutes::numeric / free_minutes;

CREATE INDEX idx_weekly_load_ratio ON weekly_load (busy_ratio DESC);

COMMENT ON TABLE weekly_load IS 'Booked vs. free minutes per user and ISO week.';

-- migrate:down
DROP TABLE weekly_load;
