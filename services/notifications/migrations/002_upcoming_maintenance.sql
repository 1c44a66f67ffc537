-- The calendar shows maintenance before it falls due: maintenance.schedule_changed.v1 keeps each
-- schedule's next due point here and maintenance.schedule_due.v1 marks it announced (urgency and
-- announced_on stay empty until then). due_cycle grows whenever a schedule's due point moves, so
-- an event about an earlier due point arriving late changes nothing.
ALTER TABLE due_maintenance ADD COLUMN due_cycle INTEGER;
ALTER TABLE due_maintenance ALTER COLUMN urgency DROP NOT NULL;
ALTER TABLE due_maintenance ALTER COLUMN announced_on DROP NOT NULL;

-- Deleted schedules, so that an event of theirs arriving after the deletion does not bring them back.
CREATE TABLE deleted_schedules (
    schedule_id UUID PRIMARY KEY,
    user_id     TEXT NOT NULL,
    deleted_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
