-- The odometer check of a new or changed fill-up reads the vehicle's fill-ups just before and just
-- after its time (repository.odometer_neighbours); the chain index is in odometer order, which
-- cannot tell "dated before" without reading the whole history. This index also serves the
-- vehicle's list, newest first.
CREATE INDEX fuel_logs_vehicle_dates ON fuel_logs (user_id, vehicle_id, date_time, id);
