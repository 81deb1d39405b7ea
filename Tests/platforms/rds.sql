-- A cluster shaped like Amazon RDS for PostgreSQL: `rdsadmin` is the only superuser (AWS keeps
-- it); the customer's master user has CREATEROLE and CREATEDB and is a member of
-- `rds_superuser`, never SUPERUSER nor BYPASSRLS. Run once by scripts/platform-db.sh.
create role rds_superuser nologin;
grant pg_signal_backend, pg_read_all_settings, pg_monitor to rds_superuser;
create role crmsync_admin login createrole createdb;
grant rds_superuser to crmsync_admin with admin option;
create database crmsync owner crmsync_admin;
