-- Every chain query also filters on user_id. With the chain index leading on vehicle_id only, the
-- planner, on a young table whose statistics say "a handful of rows", picked the (user_id,
-- vehicle_id) index instead and sorted the vehicle's whole history for each fill-up (found by
-- EXPLAIN ANALYZE under bench/run: 1,146 rows read to return 8). One index that leads with both
-- equality columns and then follows the chain order serves the window, the trip-only check and
-- every (user_id, vehicle_id) lookup the older index served, so neither of those is kept.
CREATE INDEX fuel_logs_user_chain ON fuel_logs (user_id, vehicle_id, odometer_reading, date_time, id);
DROP INDEX fuel_logs_chain;
DROP INDEX fuel_logs_user_vehicle;
