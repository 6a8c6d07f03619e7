-- The MySQL account the Debezium peer connects as (run as root by the suite before the peer).
-- Debezium's documented grants for the MySQL connector: SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE,
-- REPLICATION CLIENT (+ LOCK TABLES for table-level locks when it cannot take the global read lock).
-- sluice's test user has the DTS grants instead: REPLICATION SLAVE, REPLICATION CLIENT, SHOW VIEW, SELECT.
CREATE USER IF NOT EXISTS 'sluice_dbz'@'%' IDENTIFIED BY 'sluice-dbz-pw';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, LOCK TABLES ON *.* TO 'sluice_dbz'@'%';
CREATE USER IF NOT EXISTS 'sluice_dbz'@'localhost' IDENTIFIED BY 'sluice-dbz-pw';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, LOCK TABLES ON *.* TO 'sluice_dbz'@'localhost';
