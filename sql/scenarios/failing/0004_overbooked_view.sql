-- migrate:up
-- Never reached while 0003 fails: it reads weekly_load.
CREATE VIEW overbooked_users AS
SELECT u.email, w.week_start, w.busy_ratio
FROM weekly_load AS w
JOIN users AS u ON u.id = w.user_id
WHERE w.busy_ratio > 4;

-- migrate:down
DROP VIEW overbooked_users;
