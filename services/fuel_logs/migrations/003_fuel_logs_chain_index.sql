-- One fill-up's economy needs only the fill-ups just before it in its chain (odometer order, then
-- date, then id): this index serves that backward walk (repository.chain_before) and the check
-- for fill-ups without an odometer reading. It covers every use of the older
-- (vehicle_id, odometer_reading) index, which would only cost each write one more index update.
CREATE INDEX fuel_logs_chain ON fuel_logs (vehicle_id, odometer_reading, date_time, id);
DROP INDEX fuel_logs_vehicle;
