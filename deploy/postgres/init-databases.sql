-- One database per service (a service never reads another's; the edge's holds access tokens). Run once by the postgres image
-- when its data volume is first initialised, as POSTGRES_USER, who then owns these databases.
-- Each service creates its own tables at start-up (migrations under an advisory lock).
-- A database added here later does not appear on an existing volume: create it by hand, or
-- recreate the volume (docker compose down -v drops all data).
CREATE DATABASE motovault_vehicles;
CREATE DATABASE motovault_fuel_logs;
CREATE DATABASE motovault_stations;
CREATE DATABASE motovault_maintenance;
CREATE DATABASE motovault_edge;
CREATE DATABASE motovault_notifications;
CREATE DATABASE motovault_accounts;
